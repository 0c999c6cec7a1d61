package io.strata.backupstore.format;

import io.strata.domain.StrataException;
import java.util.List;
import java.util.Map;

/**
 * {@code backup_<name>.cfg}: one backup, Longhorn's {@code Backup} struct. {@code blocks} is the full
 * block map of the volume at the backed-up snapshot (not only what changed), sorted by offset, so
 * every backup restores on its own.
 *
 * @param createdTime           completion time; empty while the backup is in progress
 * @param size                  logical bytes: blocks × block size
 * @param newlyUploadedDataSize compressed bytes of blocks this backup added to the pool
 * @param reUploadedDataSize    compressed bytes re-uploaded by a full backup over existing blocks
 * @param singleFilePath        the file of a single-file backup; empty for block backups
 */
public record BackupConfig(String name, String volumeName, String snapshotName, String snapshotCreatedAt,
                           String createdTime, long size, Map<String, String> labels, Map<String, String> parameters,
                           boolean incremental, String compressionMethod, long newlyUploadedDataSize,
                           long reUploadedDataSize, List<BlockRef> blocks, String singleFilePath) {
    public static final long DEFAULT_BLOCK_SIZE = 2L << 20;
    public static final String BLOCK_SIZE_PARAMETER = "backup-block-size";
    public static final String MODE_PARAMETER = "backup-mode";

    /** One block of the map: its offset in the volume and the checksum that names its object. */
    public record BlockRef(long offset, String checksum) {}

    public BackupConfig {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        parameters = parameters == null ? Map.of() : Map.copyOf(parameters);
        blocks = blocks == null ? List.of() : List.copyOf(blocks);
        createdTime = createdTime == null ? "" : createdTime;
        singleFilePath = singleFilePath == null ? "" : singleFilePath;
    }

    /** Longhorn's rule: a backup whose completion time is empty is still being written. */
    public boolean inProgress() {
        return createdTime.isEmpty();
    }

    /**
     * The block size, from the {@code backup-block-size} parameter: decimal bytes or a Kubernetes
     * quantity such as {@code 16Mi}; missing, empty or 0 means 2 MiB. Only 2 MiB and 16 MiB are valid.
     */
    public long blockSize() {
        String value = parameters.get(BLOCK_SIZE_PARAMETER);
        if (value == null || value.isBlank()) {
            return DEFAULT_BLOCK_SIZE;
        }
        long size = parseQuantity(value.strip());
        if (size == 0) {
            return DEFAULT_BLOCK_SIZE;
        }
        if (size != 2L << 20 && size != 16L << 20) {
            throw new StrataException.Corrupt("backup '" + name + "' has block size " + value + "; only 2 MiB and 16 MiB are valid");
        }
        return size;
    }

    private long parseQuantity(String value) {
        String[] suffixes = {"Ki", "Mi", "Gi"};
        for (int i = 0; i < suffixes.length; i++) {
            if (value.endsWith(suffixes[i])) {
                return parseNumber(value.substring(0, value.length() - 2)) << (10 * (i + 1));
            }
        }
        return parseNumber(value);
    }

    private long parseNumber(String digits) {
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw new StrataException.Corrupt("backup '" + name + "' has an unreadable block size '" + digits + "'");
        }
    }
}
