package io.strata.backupstore;

import java.util.Arrays;

/**
 * Where a block holds data, in whole pages: a backup stores no block that is all zeroes, and a
 * restore writes only a block's pages that hold data, so that what the source volume held as
 * holes stays holes, even inside a block that also holds data. The compares are vectorised and stop
 * at the first byte that is not zero.
 */
final class DataRuns {
    /** The page a restore leaves as a hole when it is all zeroes: the engine's block. */
    static final int PAGE = 4096;
    private static final byte[] ZEROES = new byte[64 << 10];

    private DataRuns() {}

    /** Whether {@code data[0, length)} is all zeroes. */
    static boolean isZero(byte[] data, int length) {
        for (int at = 0; at < length; at += ZEROES.length) {
            if (!zero(data, at, Math.min(length, at + ZEROES.length))) {
                return false;
            }
        }
        return true;
    }

    /**
     * The runs of pages of {@code data[0, length)} that are not all zeroes, as start and end offsets
     * one after the other ({@code [s0, e0, s1, e1, ...]}); empty when all of it is zero. The last page
     * may be short.
     */
    static int[] of(byte[] data, int length) {
        int[] runs = new int[8];
        int count = 0;
        int start = -1;
        for (int at = 0; at < length; at += PAGE) {
            int end = Math.min(length, at + PAGE);
            boolean zero = zero(data, at, end);
            if (!zero && start < 0) {
                start = at;
            } else if (zero && start >= 0) {
                runs = add(runs, count, start, at);
                count += 2;
                start = -1;
            }
        }
        if (start >= 0) {
            runs = add(runs, count, start, length);
            count += 2;
        }
        return Arrays.copyOf(runs, count);
    }

    private static boolean zero(byte[] data, int from, int to) {
        return Arrays.mismatch(data, from, to, ZEROES, 0, to - from) < 0;
    }

    private static int[] add(int[] runs, int count, int start, int end) {
        int[] out = count + 2 > runs.length ? Arrays.copyOf(runs, runs.length * 2) : runs;
        out[count] = start;
        out[count + 1] = end;
        return out;
    }
}
