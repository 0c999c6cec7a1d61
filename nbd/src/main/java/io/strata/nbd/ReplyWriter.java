package io.strata.nbd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The sending half of a connection. Whole replies only ever go out under one lock, so that replies
 * finished by different threads never interleave on the wire.
 *
 * <p>The reading thread encodes the replies it answers at once into {@link #buffer()}, and they go
 * out together in one write when it is about to wait for the client ({@link #flush()}): a client
 * with 32 requests in flight gets their 32 replies for one system call. Requests worked on in the
 * background send their reply themselves with {@link #send}.
 */
final class ReplyWriter {
    private final GatheringByteChannel channel;
    private final ByteBuffer buffer;
    private final ReentrantLock lock = new ReentrantLock();

    ReplyWriter(GatheringByteChannel channel, ByteBuffer buffer) {
        this.channel = channel;
        this.buffer = buffer.clear();
    }

    /** The reading thread's pending output (write mode); only that thread may touch it. */
    ByteBuffer buffer() {
        return buffer;
    }

    /** Makes room for {@code bytes} more in {@link #buffer()}, sending what is there if needed. */
    void reserve(int bytes) throws IOException {
        if (buffer.remaining() < bytes) {
            flush();
            if (buffer.remaining() < bytes) {
                throw new IllegalArgumentException("a reply of " + bytes + " bytes does not fit the output buffer");
            }
        }
    }

    /** Sends the pending output of the reading thread. */
    void flush() throws IOException {
        if (buffer.position() == 0) {
            return;
        }
        buffer.flip();
        lock.lock();
        try {
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        } finally {
            lock.unlock();
            buffer.clear();
        }
    }

    /** Sends one whole reply made of {@code parts}, from any thread. */
    void send(ByteBuffer... parts) throws IOException {
        lock.lock();
        try {
            long left = 0;
            for (ByteBuffer part : parts) {
                left += part.remaining();
            }
            while (left > 0) {
                left -= channel.write(parts);
            }
        } finally {
            lock.unlock();
        }
    }
}
