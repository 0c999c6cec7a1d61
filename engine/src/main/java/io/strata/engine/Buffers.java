package io.strata.engine;

import java.nio.ByteBuffer;

/** Small helpers for buffers of either kind (heap or direct). */
final class Buffers {
    private static final byte[] ZEROES = new byte[64 * 1024];

    private Buffers() {}

    /** Puts {@code count} zero bytes at the buffer's position, advancing it. */
    static void putZeroes(ByteBuffer dst, long count) {
        long left = count;
        while (left > 0) {
            int n = (int) Math.min(left, ZEROES.length);
            dst.put(ZEROES, 0, n);
            left -= n;
        }
    }
}
