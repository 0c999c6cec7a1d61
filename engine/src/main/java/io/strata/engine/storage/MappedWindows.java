package io.strata.engine.storage;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Read-only memory maps of one file in fixed windows, so that reads from the page cache cost a
 * copy instead of a system call each: a read of a fragmented snapshot chain becomes hundreds of
 * small reads, and that is where the system calls add up.
 *
 * <p>Only windows lying wholly below the file's known size are mapped, so no access can fall
 * beyond the end of the file (which would fault). The address space of all windows of the process
 * is capped; past the cap, and whenever a read does not fit in one window, the caller reads with
 * a system call as before. Writes made through the file's channel are seen here at once: both
 * use the same page cache.
 */
final class MappedWindows {
    static final long WINDOW = 64L << 20;
    /** Address space all mapped windows of the process may take together. */
    private static final long BUDGET = 8L << 40;
    private static final AtomicLong MAPPED = new AtomicLong();

    private final FileChannel channel;
    private final Arena arena = Arena.ofShared();
    /** Mapped windows by index, null where not mapped; replaced (never changed in place) when it grows. */
    private volatile MemorySegment[] windows = new MemorySegment[0];
    private int mappedCount;
    /** The file is at least this long: it only grows, by our own writes. */
    private final AtomicLong knownSize;
    private volatile boolean closed;

    MappedWindows(FileChannel channel, long size) {
        this.channel = channel;
        this.knownSize = new AtomicLong(size);
    }

    /** Records that the file now extends at least to {@code end}. */
    void grewTo(long end) {
        knownSize.accumulateAndGet(end, Math::max);
    }

    /**
     * Copies {@code dst.remaining()} bytes at {@code position} into {@code dst} when they lie in one
     * mappable window; returns false, with {@code dst} untouched, when the caller must read otherwise.
     */
    boolean read(ByteBuffer dst, long position) {
        if (read(MemorySegment.ofBuffer(dst), 0, dst.remaining(), position)) {
            dst.position(dst.limit());
            return true;
        }
        return false;
    }

    /** As {@link #read(ByteBuffer, long)}, into a segment at an offset. */
    boolean read(MemorySegment dst, long dstOffset, int length, long position) {
        long index = position / WINDOW;
        long windowStart = index * WINDOW;
        if (closed || position + length > windowStart + WINDOW || windowStart + WINDOW > knownSize.get()) {
            return false;
        }
        MemorySegment[] mappedNow = windows;
        MemorySegment window = index < mappedNow.length ? mappedNow[(int) index] : null;
        if (window == null && (window = map((int) index)) == null) {
            return false;
        }
        MemorySegment.copy(window, position - windowStart, dst, dstOffset, length);
        return true;
    }

    private synchronized MemorySegment map(int index) {
        MemorySegment[] current = windows;
        MemorySegment window = index < current.length ? current[index] : null;
        if (window != null || closed) {
            return window;
        }
        if (MAPPED.addAndGet(WINDOW) > BUDGET) {
            MAPPED.addAndGet(-WINDOW);
            return null;
        }
        try {
            window = channel.map(FileChannel.MapMode.READ_ONLY, index * WINDOW, WINDOW, arena);
            MemorySegment[] grown = Arrays.copyOf(current, Math.max(current.length, index + 1));
            grown[index] = window;
            windows = grown;
            mappedCount++;
            return window;
        } catch (IOException | RuntimeException e) {
            MAPPED.addAndGet(-WINDOW); // e.g. out of address space: read with system calls instead
            return null;
        }
    }

    /** Unmaps every window. No read may run at the same time or after. */
    synchronized void close() {
        if (!closed) {
            closed = true;
            arena.close();
            MAPPED.addAndGet(-WINDOW * mappedCount);
            windows = new MemorySegment[0];
        }
    }
}
