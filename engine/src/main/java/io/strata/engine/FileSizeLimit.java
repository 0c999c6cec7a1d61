package io.strata.engine;

import io.strata.domain.ByteSize;
import io.strata.domain.StrataException;
import io.strata.domain.VolumeName;
import io.strata.engine.storage.Storage;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A volume must fit the largest file of the file system under it. Its head's data file holds block
 * {@code b} at {@link Layout#DATA_OFFSET} {@code + b * 4096}, so a volume of {@code size} bytes needs
 * a data file of {@code DATA_OFFSET + size} bytes; past the file system's largest file every write
 * fails with EIO ("File too large": ext4 with 4 KiB blocks stops at 16 TiB − 4 KiB). So the size is
 * checked where it is chosen, at create and at expand, against what the file system really takes,
 * rather than accepted and broken at the first write near the end.
 */
final class FileSizeLimit {
    private FileSizeLimit() {}

    /**
     * Checks that a volume of {@code size} bytes fits files in {@code dir}.
     *
     * @throws StrataException.OutOfRange naming the largest volume the file system holds
     */
    static void require(Storage storage, Path dir, VolumeName name, long size) throws IOException {
        long needed = Layout.DATA_OFFSET + size;
        long largest = storage.largestFile(dir, needed);
        if (largest >= needed) {
            return;
        }
        long most = Math.max(0, largest - Layout.DATA_OFFSET) / Layout.BLOCK * Layout.BLOCK;
        throw new StrataException.OutOfRange("volume '" + name + "' of " + size + " bytes (" + ByteSize.human(size)
                + ") does not fit the data directory's file system (" + storage.fileSystemType(dir) + "), whose largest file is "
                + largest + " bytes: a volume there holds at most " + most + " bytes (" + ByteSize.human(most)
                + "); ask for at most that, or put the data directory on a file system with larger files, such as xfs");
    }
}
