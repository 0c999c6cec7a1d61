package io.strata.nbd;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;

/**
 * Direct buffers for socket and device I/O, reused: allocating a direct buffer costs a system call
 * and its memory returns only when the collector runs, so buffers in the hot path are pooled.
 * Sizes are powers of two from 64 KiB to {@code 32 MiB}; a class keeps a few idle buffers, large
 * classes fewer. Safe for concurrent use.
 */
final class BufferPool {
    private static final int MIN_SHIFT = 16;
    private static final int MAX_SHIFT = 25;
    private final List<ArrayBlockingQueue<ByteBuffer>> idle = new ArrayList<>();

    BufferPool() {
        for (int shift = MIN_SHIFT; shift <= MAX_SHIFT; shift++) {
            idle.add(new ArrayBlockingQueue<>(shift <= 20 ? 32 : shift <= 22 ? 4 : 1));
        }
    }

    /** A cleared buffer whose limit is {@code size} (its capacity may be larger). */
    ByteBuffer take(int size) {
        int shift = shiftFor(size);
        ByteBuffer buffer = idle.get(shift - MIN_SHIFT).poll();
        if (buffer == null) {
            buffer = ByteBuffer.allocateDirect(1 << shift);
        }
        return buffer.clear().limit(size);
    }

    /** Returns a buffer that {@link #take} gave; it must not be used afterwards. */
    void give(ByteBuffer buffer) {
        int shift = Integer.numberOfTrailingZeros(buffer.capacity());
        if (buffer.isDirect() && Integer.bitCount(buffer.capacity()) == 1 && shift >= MIN_SHIFT && shift <= MAX_SHIFT) {
            idle.get(shift - MIN_SHIFT).offer(buffer);
        }
    }

    private static int shiftFor(int size) {
        if (size > 1 << MAX_SHIFT) {
            throw new IllegalArgumentException("buffer of " + size + " bytes is over the largest pooled size");
        }
        return Math.max(MIN_SHIFT, 32 - Integer.numberOfLeadingZeros(Math.max(1, size) - 1));
    }
}
