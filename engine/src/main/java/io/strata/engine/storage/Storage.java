package io.strata.engine.storage;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The file operations the engine is built on.
 *
 * <p>Durability contract (what a crash keeps): file content written before {@link StorageFile#sync()}
 * survives; names created, renamed or deleted in a directory survive once {@link #syncDirectory(Path)}
 * of that directory returns. Anything else may be lost in a crash — unsynced writes to a file, a
 * rename that was not followed by a directory sync. {@link #move(Path, Path)} is atomic: after a crash
 * the target name refers to the old or the new file, never to a mix.
 *
 * <p>All methods are safe to call from many threads. Missing paths: {@link #delete(Path)} and
 * {@link #list(Path)} treat a missing path as empty; {@link #open} without {@code create} throws
 * {@link java.nio.file.NoSuchFileException}.
 */
public interface Storage {

    /** Opens a file for reading and writing, creating it (empty) when {@code create} and it is missing. */
    StorageFile open(Path path, boolean create) throws IOException;

    boolean exists(Path path);

    boolean isDirectory(Path path);

    /** Creates a directory and its missing parents, each readable by its owner only; an existing directory is fine. */
    void createDirectories(Path dir) throws IOException;

    /**
     * Takes the group's and others' permissions off an existing directory, so that only its owner
     * reaches what is below it.
     *
     * @return whether it was open to others before
     */
    default boolean makePrivate(Path dir) throws IOException {
        return false;
    }

    /** Names of the entries of a directory, sorted; empty when it does not exist. */
    List<String> list(Path dir) throws IOException;

    /** Atomically renames a file or directory, replacing a file at the target. */
    void move(Path from, Path to) throws IOException;

    /** Deletes a file or an empty directory; a missing path is not an error. */
    void delete(Path path) throws IOException;

    /** Makes the names in a directory durable (creations, renames and deletions so far). */
    void syncDirectory(Path dir) throws IOException;

    /**
     * Takes an exclusive lock owned by this process on a lock file, so that two processes never run
     * on one data directory.
     *
     * @return the lock, released on close
     * @throws java.nio.channels.OverlappingFileLockException or an {@link IOException} naming the holder
     *         when someone else holds it
     */
    Closeable lockExclusively(Path lockFile) throws IOException;

    /** The name of the file {@link #largestFile} probes with; one left by a crash may be deleted. */
    String SIZE_PROBE = ".size-probe";

    /**
     * The largest length, at most {@code atMost}, that a file in directory {@code dir} may have. A
     * file system has a largest file (ext4 with 4 KiB blocks: 16 TiB − 4 KiB), and a write past it
     * fails ("File too large"). Learnt by extending an empty file {@link #SIZE_PROBE} in {@code dir}
     * without writing to it (it stays sparse: no space is taken), which is deleted before this
     * returns. Not to be called twice at once on one directory.
     *
     * @throws IOException when the probe cannot be made at all (e.g. the directory is read-only)
     */
    long largestFile(Path dir, long atMost) throws IOException;

    /** The type of the file system {@code dir} is on, e.g. {@code ext4}, for messages. */
    String fileSystemType(Path dir) throws IOException;
}
