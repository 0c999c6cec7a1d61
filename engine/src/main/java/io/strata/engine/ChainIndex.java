package io.strata.engine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.List;

/**
 * For every 4 KiB block of a chain, the slot of the layer that holds its newest content, or 0 when
 * it reads as zeroes: one lookup per block instead of a walk down the chain. One byte per block,
 * allocated per chunk of {@value Layout#CHUNK_BLOCKS} blocks; a chunk held wholly by one layer
 * shares one immutable array, so a large, sequentially written volume costs almost nothing.
 *
 * <p>Readers need no lock: entries are published with release/acquire semantics. Writers of a
 * chunk hold that chunk's stripe lock; {@link #grow} runs with the volume's I/O excluded.
 */
final class ChainIndex {
    private static final VarHandle ENTRY = MethodHandles.arrayElementVarHandle(byte[].class);
    private static final VarHandle CHUNK = MethodHandles.arrayElementVarHandle(byte[][].class);
    private static final byte[][] UNIFORM = new byte[256][];

    static {
        for (int slot = 1; slot < 256; slot++) {
            byte[] all = new byte[Layout.CHUNK_BLOCKS];
            Arrays.fill(all, (byte) slot);
            UNIFORM[slot] = all;
        }
    }

    private volatile byte[][] chunks;

    ChainIndex(long blocks) {
        chunks = new byte[Layout.chunkCount(blocks)][];
    }

    /** Builds the index of a chain given oldest first, each layer with its slot. */
    static ChainIndex build(long blocks, List<Layer> chainOldestFirst) {
        ChainIndex index = new ChainIndex(blocks);
        for (Layer layer : chainOldestFirst) {
            index.apply(layer.map(), layer.slot());
        }
        return index;
    }

    /**
     * Lays one layer's map over the index. Only during {@link #build}, before the index is shared:
     * plain stores, whole words at a time, and for mixed words only the blocks the layer holds.
     */
    private void apply(BlockMap map, int slot) {
        byte[][] all = chunks;
        int count = Math.min(map.chunkCount(), all.length);
        for (int c = 0; c < count; c++) {
            long[] entries = map.chunk(c);
            if (entries == null) {
                continue;
            }
            if (isAll(entries, BlockMap.ALL_DATA)) {
                all[c] = UNIFORM[slot];
                continue;
            }
            if (isAll(entries, BlockMap.ALL_ZERO)) {
                all[c] = null;
                continue;
            }
            byte[] chunk = all[c];
            if (chunk != null && chunk == UNIFORM[chunk[0] & 0xff]) {
                chunk = chunk.clone();
            }
            for (int w = 0; w < entries.length; w++) {
                long word = entries[w];
                if (word == 0) {
                    continue;
                }
                int base = w * 32;
                long data = word & ~(word >>> 1) & BlockMap.ALL_DATA;          // 01 at even bits
                long zero = (word >>> 1) & ~word & BlockMap.ALL_DATA;          // 10, moved to even bits
                if (data != 0 && chunk == null) {
                    chunk = new byte[Layout.CHUNK_BLOCKS];
                }
                if (chunk == null) {
                    continue; // only zero marks over zeroes
                }
                if (word == BlockMap.ALL_DATA) {
                    Arrays.fill(chunk, base, base + 32, (byte) slot);
                    continue;
                }
                for (long bits = data; bits != 0; bits &= bits - 1) {
                    chunk[base + Long.numberOfTrailingZeros(bits) / 2] = (byte) slot;
                }
                for (long bits = zero; bits != 0; bits &= bits - 1) {
                    chunk[base + Long.numberOfTrailingZeros(bits) / 2] = 0;
                }
            }
            all[c] = chunk;
        }
    }

    private static boolean isAll(long[] entries, long pattern) {
        for (long word : entries) {
            if (word != pattern) {
                return false;
            }
        }
        return true;
    }

    int get(long block) {
        byte[] chunk = (byte[]) CHUNK.getAcquire(chunks, (int) (block / Layout.CHUNK_BLOCKS));
        if (chunk == null) {
            return 0;
        }
        return ((byte) ENTRY.getAcquire(chunk, (int) (block % Layout.CHUNK_BLOCKS))) & 0xff;
    }

    /**
     * The slot of {@code block} and how many blocks from it on (at most {@code max}, staying within
     * the index) resolve to that same slot, packed as {@code count << 8 | slot}: one consistent
     * answer even while writers change the index.
     */
    long run(long block, int max) {
        byte[][] all = chunks;
        int slot = get(block);
        int n = 0;
        long b = block;
        while (n < max) {
            int c = (int) (b / Layout.CHUNK_BLOCKS);
            int i = (int) (b % Layout.CHUNK_BLOCKS);
            byte[] chunk = (byte[]) CHUNK.getAcquire(all, c);
            if (chunk == null || (slot != 0 && chunk == UNIFORM[slot])) {
                if ((chunk == null) != (slot == 0)) {
                    break;
                }
                int take = Math.min(Layout.CHUNK_BLOCKS - i, max - n);
                n += take;
                b += take;
                continue;
            }
            int start = i;
            while (i < Layout.CHUNK_BLOCKS && n < max && (((byte) ENTRY.getAcquire(chunk, i)) & 0xff) == slot) {
                i++;
                n++;
            }
            b += i - start;
            if (i < Layout.CHUNK_BLOCKS && n < max) {
                break;
            }
        }
        return ((long) Math.max(n, 1) << 8) | slot;
    }

    static int slotOf(long run) {
        return (int) (run & 0xff);
    }

    static int countOf(long run) {
        return (int) (run >>> 8);
    }

    /** Points {@code count} blocks from {@code first} at {@code slot}. Caller holds the stripe locks. */
    void set(long first, long count, int slot) {
        long block = first;
        long end = first + count;
        byte[][] all = chunks;
        while (block < end) {
            int c = (int) (block / Layout.CHUNK_BLOCKS);
            int from = (int) (block % Layout.CHUNK_BLOCKS);
            int to = (int) Math.min(Layout.CHUNK_BLOCKS, from + (end - block));
            if (from == 0 && to == Layout.CHUNK_BLOCKS) {
                CHUNK.setRelease(all, c, slot == 0 ? null : UNIFORM[slot]);
            } else {
                byte[] chunk = writable(all, c, slot);
                if (chunk != null) {
                    for (int i = from; i < to; i++) {
                        ENTRY.setRelease(chunk, i, (byte) slot);
                    }
                }
            }
            block += to - from;
        }
    }

    void set(long block, int slot) {
        set(block, 1, slot);
    }

    /** The chunk's own array, copied from a shared one when needed; null when no change is needed. */
    private static byte[] writable(byte[][] all, int c, int slot) {
        byte[] chunk = (byte[]) CHUNK.getAcquire(all, c);
        if (chunk == null) {
            if (slot == 0) {
                return null;
            }
            chunk = new byte[Layout.CHUNK_BLOCKS];
            CHUNK.setRelease(all, c, chunk);
            return chunk;
        }
        int first = chunk[0] & 0xff;
        if (first != 0 && chunk == UNIFORM[first]) {
            if (first == slot) {
                return null;
            }
            chunk = chunk.clone();
            CHUNK.setRelease(all, c, chunk);
        }
        return chunk;
    }

    /** Grows to {@code blocks}; new blocks read as zeroes. Caller excludes all other access. */
    void grow(long blocks) {
        int count = Layout.chunkCount(blocks);
        if (count > chunks.length) {
            chunks = Arrays.copyOf(chunks, count);
        }
    }
}
