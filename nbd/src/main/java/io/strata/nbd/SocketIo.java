package io.strata.nbd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A connected socket with blocking semantics (a read returns at least one byte or the end of the
 * stream; a write writes at least one byte) that polls briefly before it blocks on a read.
 *
 * <p>Why poll: a client with one request in flight sends the next one a few microseconds after our
 * reply. A thread that blocked in the meantime must be woken, and waking a thread on an idle CPU
 * costs tens of microseconds on a virtual machine (the CPU halted and needs an interrupt), several
 * times the work of a 4 KiB read. So after a reply the reading thread tries non-blocking reads for
 * up to {@link #SPIN_NANOS}; only if nothing comes does it block in a selector. A connection whose
 * client paused for longer than {@link #HOT_NANOS} stops polling until its requests come quickly
 * again, so an idle connection costs no CPU; one streaming large writes does not poll, and at most
 * half the CPUs poll at once.
 *
 * <p>Reads come from one thread; writes from any thread, one at a time (the caller's lock).
 */
final class SocketIo implements ByteChannel, GatheringByteChannel {
    /** How long a read polls before blocking. */
    static final long SPIN_NANOS = 50_000;
    /** A wait shorter than this means the client is busy: poll before the next wait. */
    static final long HOT_NANOS = 2_000_000;
    /**
     * Polling pays when the client sends small requests one or a few at a time. A client streaming
     * large writes keeps the socket full anyway, and needs the CPU to produce them.
     */
    static final int SMALL_READ = 16 << 10;
    /** Threads of the process polling at once: never more than half the CPUs, so that clients can run. */
    private static final int MAX_SPINNERS = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
    private static final AtomicInteger SPINNERS = new AtomicInteger();

    private final SocketChannel channel;
    private final Selector readable;
    private final Selector writable;
    private boolean hot = true;
    private int lastRead;

    SocketIo(SocketChannel channel) throws IOException {
        this.channel = channel;
        channel.configureBlocking(false);
        Selector forReads = Selector.open();
        Selector forWrites = null;
        try {
            forWrites = Selector.open();
            channel.register(forReads, SelectionKey.OP_READ);
            channel.register(forWrites, SelectionKey.OP_WRITE);
        } catch (IOException | RuntimeException e) {
            forReads.close();
            if (forWrites != null) {
                forWrites.close();
            }
            throw e;
        }
        this.readable = forReads;
        this.writable = forWrites;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (!dst.hasRemaining()) {
            return 0;
        }
        int n = channel.read(dst);
        if (n == 0) {
            long start = System.nanoTime();
            n = hot && lastRead < SMALL_READ ? spin(dst, start) : 0;
            if (n == 0) {
                n = block(dst);
                hot = System.nanoTime() - start < HOT_NANOS;
            }
        }
        lastRead = n;
        return n;
    }

    /** Tries non-blocking reads for up to {@link #SPIN_NANOS}; 0 when nothing came (or too many threads poll already). */
    private int spin(ByteBuffer dst, long start) throws IOException {
        if (SPINNERS.incrementAndGet() > MAX_SPINNERS) {
            SPINNERS.decrementAndGet();
            return 0;
        }
        try {
            while (System.nanoTime() - start < SPIN_NANOS) {
                Thread.onSpinWait();
                int n = channel.read(dst);
                if (n != 0) {
                    return n;
                }
            }
            return 0;
        } finally {
            SPINNERS.decrementAndGet();
        }
    }

    private int block(ByteBuffer dst) throws IOException {
        while (true) {
            readable.select();
            readable.selectedKeys().clear();
            checkOpen();
            int n = channel.read(dst);
            if (n != 0) {
                return n;
            }
        }
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        return (int) write(new ByteBuffer[] {src}, 0, 1);
    }

    @Override
    public long write(ByteBuffer[] srcs) throws IOException {
        return write(srcs, 0, srcs.length);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        while (true) {
            long n = channel.write(srcs, offset, length);
            if (n != 0 || !remaining(srcs, offset, length)) {
                return n;
            }
            writable.select();
            writable.selectedKeys().clear();
            checkOpen();
        }
    }

    private static boolean remaining(ByteBuffer[] srcs, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            if (srcs[i].hasRemaining()) {
                return true;
            }
        }
        return false;
    }

    private void checkOpen() throws ClosedChannelException {
        if (!channel.isOpen()) {
            throw new ClosedChannelException();
        }
    }

    @Override
    public boolean isOpen() {
        return channel.isOpen();
    }

    @Override
    public void close() throws IOException {
        try {
            channel.close();
        } finally {
            wakeUp();
        }
    }

    /** Wakes whichever thread waits on the socket, to see it closed or shut down. */
    void wakeUp() {
        readable.wakeup();
        writable.wakeup();
    }

    /** Releases the selectors; once no thread uses this any more. */
    void release() throws IOException {
        try {
            readable.close();
        } finally {
            writable.close();
        }
    }
}
