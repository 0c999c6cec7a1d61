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
    public VolumeConfig {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }

    public Compression compression() {
        return Compression.fromMethod(compressionMethod);
    }
}
