package io.strata.backupstore.format;

import io.strata.domain.ByteSize;
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
    /** Longhorn's other block size, chosen per backup volume. */
    public static final long LARGE_BLOCK_SIZE = 16L << 20;
    public static final String BLOCK_SIZE_PARAMETER = "backup-block-size";
    public static final String MODE_PARAMETER = "backup-mode";
    /** Strata's own parameter: the snapshot's exact size, which Longhorn's cfg does not keep per backup. */
    public static final String VOLUME_SIZE_PARAMETER = "strata-volume-size";
    /** Strata's own parameter of an in-progress cfg: the lock its backup holds. */
    public static final String LOCK_PARAMETER = "strata-lock";

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
     * quantity such as {@code 16Mi}; missing, empty or 0 means 2 MiB. Only 2 MiB and 16 MiB are valid
     * (a cfg read from a store has been checked already).
     */
    public long blockSize() {
        long size = blockSizeOf(parameters.get(BLOCK_SIZE_PARAMETER));
        if (size < 0) {
            throw new StrataException.Corrupt("backup '" + name + "' has a block size other than 2 MiB or 16 MiB, the only valid ones");
        }
        return size;
    }

    /**
     * The block size a user asks for ({@code 2Mi}, {@code 16Mi}, or the same in bytes); null or empty
     * is 0, the backup volume's own (2 MiB for a new one).
     *
     * @throws StrataException.InvalidArgument for any other size
     */
    public static long requestedBlockSize(String value) {
        if (value == null || value.isBlank()) {
            return 0;
        }
        long size;
        try {
            size = ByteSize.parse(value);
        } catch (StrataException.InvalidArgument e) {
            size = -1;
        }
        if (!isValidBlockSize(size)) {
            throw new StrataException.InvalidArgument("a backup block size must be 2Mi (the default) or 16Mi, the only ones"
                    + " Longhorn allows");
        }
        return size;
    }

    /** True for the block sizes Longhorn allows: 2 MiB and 16 MiB. */
    public static boolean isValidBlockSize(long size) {
        return size == DEFAULT_BLOCK_SIZE || size == LARGE_BLOCK_SIZE;
    }

    /** The block size a {@code backup-block-size} value gives, or -1 when it gives none that is valid. */
    static long blockSizeOf(String value) {
        if (value == null || value.isBlank()) {
            return DEFAULT_BLOCK_SIZE;
        }
        String v = value.strip();
        int shift = 0;
        String[] suffixes = {"Ki", "Mi", "Gi"};
        for (int i = 0; i < suffixes.length; i++) {
            if (v.endsWith(suffixes[i])) {
                v = v.substring(0, v.length() - 2);
                shift = 10 * (i + 1);
                break;
            }
        }
        if (v.isEmpty() || v.length() > 12 || !v.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return -1;
        }
        long size = Long.parseLong(v) << shift;
        return size == 0 ? DEFAULT_BLOCK_SIZE : isValidBlockSize(size) ? size : -1;
    }

    /**
     * Checks that every block of the map lies inside a volume of {@code volumeSize} bytes: a block
     * beyond it is not the volume's data, and would be written past the end of a restored volume.
     *
     * @param where the cfg's key, for the error message
     * @throws StrataException.Corrupt naming the cfg
     */
    public void checkFits(long volumeSize, String where) {
        for (int i = 0; i < blocks.size(); i++) {
            if (blocks.get(i).offset() >= volumeSize) {
                throw new CfgReader(where).corrupt("Blocks[" + i + "].Offset", "lies beyond the volume's size " + volumeSize);
            }
        }
    }
}
