package io.strata.engine;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Merges a hidden layer into its only child: every block the parent holds and the child does not
 * is copied into the child. The child's content, and so that of every snapshot above it and of the
 * head, stays exactly the same at every step, which is what makes the merge safe to interrupt: a
 * crash leaves the child with some extra blocks that it read through to anyway.
 */
final class LayerMerge {
    private static final int MAX_RUN = 256; // blocks per copy: 1 MiB

    private LayerMerge() {}

    /**
     * @param parentIsRoot the parent has no parent: its zero marks hide nothing and are dropped
     * @param index        the head's chain index when the child is in the head's chain, else null;
     *                     entries pointing at the parent are moved to the child
     */
    static void merge(Layer parent, Layer child, boolean parentIsRoot, ChainIndex index, StripeLocks stripes)
            throws IOException {
        BlockMap from = parent.map();
        BlockMap into = child.map();
        ByteBuffer buffer = ByteBuffer.allocateDirect(MAX_RUN * Layout.BLOCK);
        for (int c = 0; c < from.chunkCount(); c++) {
            long[] entries = from.chunk(c);
            if (entries == null) {
                continue;
            }
            long locked = stripes.lockChunk(c);
            try {
                mergeChunk(parent, child, parentIsRoot, index, c, entries, into, buffer);
            } finally {
                stripes.unlock(locked);
            }
        }
    }

    private static void mergeChunk(Layer parent, Layer child, boolean parentIsRoot, ChainIndex index, int c,
                                   long[] entries, BlockMap into, ByteBuffer buffer) throws IOException {
        long base = (long) c * Layout.CHUNK_BLOCKS;
        int i = 0;
        while (i < Layout.CHUNK_BLOCKS) {
            int state = state(entries, i);
            if (state == BlockMap.ABSENT || into.get(base + i) != BlockMap.ABSENT) {
                i++;
                continue;
            }
            if (state == BlockMap.ZERO) {
                if (!parentIsRoot) {
                    into.set(base + i, 1, BlockMap.ZERO);
                }
                i++;
                continue;
            }
            int j = i + 1;
            while (j < Layout.CHUNK_BLOCKS && j - i < MAX_RUN && state(entries, j) == BlockMap.DATA
                    && into.get(base + j) == BlockMap.ABSENT) {
                j++;
            }
            long offset = (base + i) << Layout.BLOCK_SHIFT;
            buffer.clear().limit((j - i) << Layout.BLOCK_SHIFT);
            parent.read(buffer, offset);
            buffer.flip();
            child.write(buffer, offset);
            into.set(base + i, j - i, BlockMap.DATA);
            if (index != null) {
                for (long b = base + i; b < base + j; b++) {
                    if (index.get(b) == parent.slot()) {
                        index.set(b, child.slot());
                    }
                }
            }
            i = j;
        }
    }

    private static int state(long[] entries, int i) {
        return (int) (entries[i >>> 5] >>> ((i & 31) * 2)) & 3;
    }
}
