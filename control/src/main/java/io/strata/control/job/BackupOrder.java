package io.strata.control.job;

import io.strata.backupstore.format.Compression;
import io.strata.domain.SnapshotName;
import io.strata.domain.VolumeName;
import java.util.Map;
import java.util.Optional;

/**
 * What a backup job makes ({@link Jobs#startBackup(BackupOrder)}): a backup of an existing snapshot of
 * {@code volume}, or, without one, of a snapshot taken now, named like the backup and deleted with it.
 *
 * @param backup    the backup's name (a valid snapshot name), or empty for {@code backup-} and 16 hex digits
 * @param blockSize 2 or 16 MiB for a new backup volume, or 0 for the backup volume's own (2 MiB for a new one)
 */
public record BackupOrder(VolumeName volume, Optional<SnapshotName> snapshot, String targetUrl, Optional<String> backup,
                          boolean full, Compression compression, Map<String, String> labels, long blockSize) {
    /** A backup in the backup volume's own block size. */
    public BackupOrder(VolumeName volume, Optional<SnapshotName> snapshot, String targetUrl, Optional<String> backup,
                       boolean full, Compression compression, Map<String, String> labels) {
        this(volume, snapshot, targetUrl, backup, full, compression, labels, 0);
    }
}
