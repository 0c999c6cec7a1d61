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
 * @param backup the backup's name (a valid snapshot name), or empty for {@code backup-} and 16 hex digits
 */
public record BackupOrder(VolumeName volume, Optional<SnapshotName> snapshot, String targetUrl, Optional<String> backup,
                          boolean full, Compression compression, Map<String, String> labels) {}
