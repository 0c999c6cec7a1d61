/**
 * The vocabulary every Strata module shares: validated names ({@link io.strata.domain.VolumeName},
 * {@link io.strata.domain.SnapshotName}), byte sizes, and the one sealed error family
 * ({@link io.strata.domain.StrataException}) that the edges (CSI, REST, CLI) map to their codes in
 * one place each.
 *
 * <p>May import: the JDK only.
 */
package io.strata.domain;
