package io.strata.engine.storage;

import java.io.Closeable;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * One open file, read and written at explicit positions; safe for concurrent use at distinct
 * positions. Bytes never written (holes, or beyond the end) read as zeroes through
 * {@link #readFully}.
 */
public interface StorageFile extends Closeable {

    /**
     * Reads {@code dst.remaining()} bytes at {@code position}; the part beyond the end of the file is
     * filled with zeroes.
     */
    void readFully(ByteBuffer dst, long position) throws IOException;

    /**
     * Reads {@code length} bytes at {@code position} into {@code dst} at {@code dstOffset}, as
     * {@link #readFully(ByteBuffer, long)} does. For callers that read many small pieces into one
     * buffer: an implementation may copy without creating a buffer per piece.
     */
    default void readFully(MemorySegment dst, long dstOffset, int length, long position) throws IOException {
        readFully(dst.asSlice(dstOffset, length).asByteBuffer(), position);
    }

    /** Writes all of {@code src} at {@code position}, extending the file when needed. */
    void writeFully(ByteBuffer src, long position) throws IOException;

    long size() throws IOException;

    /** Makes the content and length written so far durable (fdatasync). */
    void sync() throws IOException;

    /**
     * Releases the space of a range, which then reads as zeroes; the length is unchanged. Where the
     * file system cannot punch holes the range is left as it is: callers must not rely on the range
     * reading as zeroes, only on the space being released when possible.
     */
    void punchHole(long position, long length) throws IOException;

    /**
     * Lets go of the file's clean cached pages: for a writer of much data it will not read back,
     * after {@link #sync}, so that its next writes reuse the memory just freed instead of filling the
     * page cache (and evicting everything else). Dirty pages are not touched. Only a hint: an
     * implementation may do nothing.
     */
    default void dropCache() throws IOException {}
}
