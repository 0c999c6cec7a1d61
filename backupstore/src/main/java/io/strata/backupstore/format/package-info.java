/**
 * Longhorn's backupstore format, exactly: where every object lives ({@link io.strata.backupstore.format.StoreLayout}),
 * block checksums, per-block compression, {@code volume.cfg} and {@code backup_<name>.cfg}, and
 * backup URLs. Written byte for byte as Longhorn writes it; read tolerantly, as Longhorn reads it, but
 * with every field checked as it is parsed, so that a hostile or broken store is refused here and never
 * restores wrong data. One
 * extension of Strata's own, which Longhorn cannot read: the {@code zstd} compression method.
 *
 * <p>May import: the JDK, {@code io.strata.domain}, lz4-java, zstd-jni, Jackson.
 */
package io.strata.backupstore.format;
