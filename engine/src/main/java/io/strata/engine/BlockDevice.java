package io.strata.engine;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A byte-addressed device of fixed (but growable) size: what the NBD server serves and what backup,
 * restore and clone read and write.
 *
 * <p>Contract, for every implementation:
 * <ul>
 *   <li>Offsets and lengths are in bytes and need no alignment; the range must lie within
 *       {@code [0, size())} or {@link io.strata.domain.StrataException.OutOfRange} is thrown and
 *       nothing is changed.</li>
 *   <li>Never-written, unmapped and zeroed ranges read as zeroes.</li>
 *   <li>A write is visible to every later read once it returns; it is durable only after a
 *       following {@link #flush()} returns. After a crash, an unflushed range reads as its old or
 *       its new content (per 4 KiB block), never as anything else.</li>
 *   <li>Many threads may call any method at once. Overlapping concurrent writes land in some
 *       order per 4 KiB block.</li>
 * </ul>
 */
public interface BlockDevice {

    /** Size in bytes. */
    long size();

    /** Fills {@code dst} from its position to its limit with the bytes at {@code offset}; its position ends at its limit. */
    void readAt(ByteBuffer dst, long offset) throws IOException;

    /** Writes {@code src} from its position to its limit at {@code offset}; its position ends at its limit. */
    void writeAt(ByteBuffer src, long offset) throws IOException;

    /** Discards a range: it reads as zeroes afterwards and its space may be released. */
    void unmap(long offset, long length) throws IOException;

    /** Makes a range read as zeroes, without allocating space for it. */
    void writeZeroes(long offset, long length) throws IOException;

    /** Makes every write acknowledged before this call durable. */
    void flush() throws IOException;
}
