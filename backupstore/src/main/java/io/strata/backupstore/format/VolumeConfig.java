package io.strata.backupstore.format;

import java.util.Map;

/**
 * {@code volume.cfg}: a backup volume's description, Longhorn's {@code Volume} struct. Times are
 * kept as the RFC 3339 strings they are stored as.
 *
 * @param compressionMethod fixed when the backup volume is created; later backups adopt it
 * @param blockCount        blocks stored in the volume's pool
 */
public record VolumeConfig(String name, long size, Map<String, String> labels, String createdTime, String lastBackupName,
                           String lastBackupAt, long blockCount, String backingImageName, String backingImageChecksum,
                           String compressionMethod, String storageClassName, String dataEngine) {
    /** Every volume size is a multiple of this: Strata's sizes are whole 4 KiB pages, Longhorn's whole blocks. */
    public static final long SIZE_GRAIN = 4096;
    /** Beyond any volume's size (8 PiB): offsets and sizes below it add up without overflow. */
    public static final long MAX_SIZE = 1L << 53;

    public VolumeConfig {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }

    public Compression compression() {
        return Compression.fromMethod(compressionMethod);
    }

    /**
     * {@code size} rounded up to whole blocks: the size Longhorn takes in {@code volume.cfg}, which
     * refuses to back up or restore a volume whose size is not a multiple of its block size.
     */
    public static long roundUp(long size, long blockSize) {
        return (size + blockSize - 1) / blockSize * blockSize;
    }
}
