/**
 * The volume engine. A volume is a directory holding a tree of sparse layer files: read-only layers
 * (one per snapshot, plus hidden ones awaiting merge) under one writable head. A volume's content is
 * its head read through its chain of ancestors at 4 KiB granularity.
 *
 * <p>Entry points: {@link io.strata.engine.VolumeStore} (a data directory of volumes) and
 * {@link io.strata.engine.Volume} (one volume: a {@link io.strata.engine.BlockDevice} plus
 * snapshots, revert, expand, clone and changed blocks). Every file access goes through the
 * {@link io.strata.engine.storage.Storage} port, so that tests can crash the engine at any step.
 *
 * <p>May import: the JDK and {@code io.strata.domain}.
 */
package io.strata.engine;
