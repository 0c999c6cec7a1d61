/**
 * {@code /metrics}: Strata's state and work in the Prometheus text format, every name prefixed
 * {@code strata_}. Counts of volumes, snapshots, backups and jobs are read when scraped; backup and
 * restore bytes and durations are counted as jobs end; NBD traffic comes from the NBD server's
 * counters.
 *
 * <p>May import: the JDK, the Prometheus client, {@code io.strata.control}, the engine (read
 * only) and {@code io.strata.nbd}'s counters.
 */
package io.strata.server.metrics;
