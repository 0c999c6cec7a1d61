package io.strata.backupstore.target;

import java.io.Closeable;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A store of whole objects under '/'-separated keys, such as
 * {@code backupstore/volumes/d0/2f/test-vol/volume.cfg}: a directory or an S3 bucket.
 *
 * <p>Contract, for every implementation:
 * <ul>
 *   <li><b>Keys</b> are relative, '/'-separated, without empty, {@code .} or {@code ..} segments;
 *       anything else is refused with {@link io.strata.domain.StrataException.InvalidArgument} and
 *       nothing is touched.</li>
 *   <li><b>Absence is an answer, failure is an exception.</b> {@link #read} of a missing key is empty
 *       and {@link #list} of a missing prefix is an empty list; an unreachable or failing store throws
 *       {@link IOException}, never an empty answer.</li>
 *   <li><b>Writes are whole</b>: after a crash or a failed {@link #write}, a key holds its old object or
 *       the new one, never a part.</li>
 *   <li>{@link #delete} of a missing key succeeds.</li>
 *   <li><b>Reads are bounded</b>: an object larger than the reader's bound is refused with
 *       {@link io.strata.domain.StrataException.Corrupt} naming the key and the bound, without
 *       reading it whole, so a hostile store cannot exhaust memory or stall a reader with a huge or
 *       endless object (the backupstore's StoreLimits has the bounds).</li>
 *   <li><b>Nothing outside the store is touched</b>: a directory target follows no symbolic link
 *       below its root and opens nothing but regular files and directories; any other entry is
 *       refused as Corrupt, naming its key, never its content.</li>
 *   <li>Safe for concurrent use; two writers of one key leave one of the two objects.</li>
 * </ul>
 */
public interface BackupTarget extends Closeable {

    /** The URL this target was opened from, without credentials. */
    String url();

    /**
     * The object under {@code key}, or empty when there is none.
     *
     * @param maxBytes the most the object may hold
     * @throws io.strata.domain.StrataException.Corrupt when it holds more, or is not a plain object
     *         (a link, a device, a FIFO in a directory target)
     */
    Optional<byte[]> read(String key, long maxBytes) throws IOException;

    /** What {@link #read(String)} reads at most: 8 MiB, more than any cfg but a backup's block map or a lock holds. */
    long SMALL_OBJECT = 8L << 20;

    /** The object under {@code key}, at most {@link #SMALL_OBJECT} bytes: a volume.cfg, a lock. */
    default Optional<byte[]> read(String key) throws IOException {
        return read(key, SMALL_OBJECT);
    }

    /** Stores {@code data} under {@code key}, replacing what was there, all or nothing. */
    void write(String key, byte[] data) throws IOException;

    /** Names directly under {@code prefix} (one level, like {@code ls}): objects and sub-prefixes, sorted. */
    List<String> list(String prefix) throws IOException;

    /** When the object under {@code key} was last written, by the store's clock; empty when there is none. */
    Optional<Instant> modified(String key) throws IOException;

    /** Removes one object; a missing key is fine. */
    void delete(String key) throws IOException;

    /** Removes every object under {@code prefix}. */
    void deleteAll(String prefix) throws IOException;

    /**
     * Removes what writes that never finished left under {@code prefix} (a process killed between
     * creating a temporary object and renaming it into place), when it was last touched before
     * {@code olderThan}. Such leftovers are invisible to {@link #list} and to every reader. A store
     * whose writes leave nothing behind (S3: a PUT is whole or absent) does nothing.
     *
     * @return how many leftovers were removed
     */
    default int removeUnfinishedWrites(String prefix, Instant olderThan) throws IOException {
        return 0;
    }

    @Override
    default void close() throws IOException {}
}
