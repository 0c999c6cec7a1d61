package io.strata.nbd;

import io.strata.engine.Extent;
import io.strata.nbd.protocol.BlockDescriptor;
import io.strata.nbd.protocol.Protocol;
import java.util.ArrayList;
import java.util.List;

/** The {@code base:allocation} answer to a block status request, from an export's allocated ranges. */
final class Allocation {
    private Allocation() {}

    /** Flags of a range that holds no data: a hole that reads as zeroes. */
    static final int HOLE = Protocol.STATE_HOLE | Protocol.STATE_ZERO;
    /** The most descriptors in one reply (the client asks again for the rest): 128 KiB of reply. */
    static final int MAX_DESCRIPTORS = 16 << 10;

    /**
     * Consecutive descriptors from {@code offset}, covering {@code [offset, offset + length)} or a
     * prefix of it (at most {@code max} descriptors, one if {@code requestOne}); allocated ranges
     * have flags 0, the rest {@link #HOLE}.
     *
     * @param allocated sorted, non-overlapping ranges that hold data
     * @param length    at most 2^32 - 1, so that every descriptor's length fits its 32 bits
     */
    static List<BlockDescriptor> describe(List<Extent> allocated, long offset, long length, boolean requestOne, int max) {
        long end = offset + length;
        int limit = requestOne ? 1 : max;
        List<BlockDescriptor> out = new ArrayList<>();
        int i = firstEndingAfter(allocated, offset);
        long pos = offset;
        while (pos < end && out.size() < limit) {
            long next;
            int flags;
            if (i < allocated.size() && allocated.get(i).offset() <= pos) {
                next = Math.min(end, allocated.get(i).end());
                flags = 0;
                i++;
            } else {
                next = i < allocated.size() ? Math.min(end, allocated.get(i).offset()) : end;
                flags = HOLE;
            }
            if (!out.isEmpty() && out.getLast().flags() == flags) {
                // touching extents: one descriptor (lengths add up to at most length, which fits)
                out.set(out.size() - 1, new BlockDescriptor((int) (Integer.toUnsignedLong(out.getLast().length()) + next - pos), flags));
            } else {
                out.add(new BlockDescriptor((int) (next - pos), flags));
            }
            pos = next;
        }
        return out;
    }

    /** Index of the first range ending after {@code offset}, or the size of the list. */
    private static int firstEndingAfter(List<Extent> allocated, long offset) {
        int lo = 0;
        int hi = allocated.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (allocated.get(mid).end() <= offset) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
