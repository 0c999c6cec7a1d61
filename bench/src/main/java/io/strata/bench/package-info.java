/**
 * A benchmark of the engine against a plain file on the same disk, and of snapshot-create latency.
 * A plain {@code main} ({@link io.strata.bench.StrataBench}) rather than JMH: each measurement is
 * seconds of I/O, so harness overhead does not matter, and a warm-up, repetitions and a median are
 * easy to read in a few hundred lines. Run it with {@code bench/run}.
 *
 * <p>May import: the JDK, {@code io.strata.domain} and {@code io.strata.engine}.
 */
package io.strata.bench;
