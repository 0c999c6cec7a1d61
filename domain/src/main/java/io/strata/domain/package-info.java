/**
 * The vocabulary every Strata module shares: validated names ({@link io.strata.domain.VolumeName},
 * {@link io.strata.domain.SnapshotName}), byte sizes, and the one sealed error family
 * ({@link io.strata.domain.StrataException}) that the edges (CSI, REST, CLI) map to their codes in
 * one place each, with its {@link io.strata.domain.Hint}s (what to do next, as data) that each edge
 * words in its own language.
 *
 * <p>May import: the JDK only.
 */
package io.strata.domain;
