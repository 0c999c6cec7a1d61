package io.strata.nbd;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/**
 * What has arrived from a client and is not decoded yet: a buffer in read mode (position to limit)
 * that {@link #fill()} tops up from the channel. Before each read that may block, it runs
 * {@code beforeRead} so that replies waiting in an output buffer go out first: a client that waits
 * for them sends nothing more. Used by one thread.
 */
final class InputBuffer {
    /** Something to do before blocking on the socket. */
    interface BeforeRead {
        void run() throws IOException;
    }

    /** The least room a read is given: reading into a sliver of buffer costs a system call for little. */
    private static final int MIN_ROOM = 64 << 10;

    private final ReadableByteChannel channel;
    private final ByteBuffer buffer;
    private final BeforeRead beforeRead;

    InputBuffer(ReadableByteChannel channel, ByteBuffer buffer, BeforeRead beforeRead) {
        this.channel = channel;
        this.buffer = buffer.flip();
        this.beforeRead = beforeRead;
    }

    ByteBuffer buffer() {
        return buffer;
    }

    /** Reads at least one more byte; false at the end of the stream. */
    boolean fill() throws IOException {
        return fill(1);
    }

    /**
     * Reads at least one more byte, making room for {@code wanted} more first. What is buffered
     * moves to the front only when the space after it is short: moving a large partial payload for
     * every request would copy the stream once more.
     */
    private boolean fill(int wanted) throws IOException {
        beforeRead.run();
        int start = buffer.position();
        int end = buffer.limit();
        int room = Math.min(buffer.capacity() - buffer.remaining(), Math.max(wanted, MIN_ROOM));
        if (buffer.capacity() - end < room) {
            buffer.compact();
            start = 0;
        } else {
            buffer.position(end).limit(buffer.capacity());
        }
        if (!buffer.hasRemaining()) {
            buffer.flip();
            throw new IllegalStateException("the input buffer is full: a frame longer than " + buffer.capacity() + " bytes");
        }
        try {
            return channel.read(buffer) > 0;
        } finally {
            buffer.limit(buffer.position()).position(start);
        }
    }

    /** Reads until at least {@code bytes} are buffered (at most the capacity); false if the stream ends first. */
    boolean fillTo(int bytes) throws IOException {
        while (buffer.remaining() < bytes) {
            if (!fill(bytes - buffer.remaining())) {
                return false;
            }
        }
        return true;
    }

    /** Fills {@code dst} to its limit: from what is buffered, then straight from the channel. */
    void readFully(ByteBuffer dst) throws IOException {
        int n = Math.min(dst.remaining(), buffer.remaining());
        dst.put(dst.position(), buffer, buffer.position(), n);
        dst.position(dst.position() + n);
        buffer.position(buffer.position() + n);
        if (dst.hasRemaining()) {
            beforeRead.run();
        }
        while (dst.hasRemaining()) {
            if (channel.read(dst) < 0) {
                throw new EOFException("the client closed the connection in the middle of a request's payload");
            }
        }
    }
}
