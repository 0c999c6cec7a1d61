package io.strata.engine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.BitSet;

/**
 * Which 4 KiB blocks one layer holds, two bits per block: {@link #ABSENT} (look further down the
 * chain), {@link #DATA} (the layer's data file has it) or {@link #ZERO} (reads as zeroes, hiding
 * older layers). Blocks are grouped in chunks of {@value Layout#CHUNK_BLOCKS}; a chunk with no
 * entry costs nothing, so maps of sparse volumes stay small.
 *
 * <p>Both bits of a block sit in one byte, so a map record written to disk is torn only between
 * whole blocks' states, never within one. Entries are not thread-safe: callers hold the chunk's
 * stripe lock for a writable layer; sealed layers change only under the volume's operation lock.
 * The dirty marks are atomic, since writers of different chunks set them at once.
 */
final class BlockMap {
    static final int ABSENT = 0;
    static final int DATA = 1;
    static final int ZERO = 2;

    static final int LONGS_PER_CHUNK = Layout.CHUNK_BLOCKS / 32;
    /** Every block of a long DATA. */
    static final long ALL_DATA = 0x5555_5555_5555_5555L;
    static final long ALL_ZERO = 0xAAAA_AAAA_AAAA_AAAAL;

    private long[][] chunks;
    private long blocks;
    private static final VarHandle WORD = MethodHandles.arrayElementVarHandle(long[].class);
    private volatile long[] dirty;

    BlockMap(long blocks) {
        this.blocks = blocks;
        this.chunks = new long[Layout.chunkCount(blocks)][];
        this.dirty = new long[(chunks.length + 63) / 64];
    }

    long blocks() {
        return blocks;
    }

    int chunkCount() {
        return chunks.length;
    }

    /** The chunk's 2-bit entries, or null when all its blocks are absent. Do not modify. */
    long[] chunk(int index) {
        return index < chunks.length ? chunks[index] : null;
    }

    int get(long block) {
        long[] chunk = chunks[(int) (block / Layout.CHUNK_BLOCKS)];
        if (chunk == null) {
            return ABSENT;
        }
        int inChunk = (int) (block % Layout.CHUNK_BLOCKS);
        return (int) (chunk[inChunk >>> 5] >>> ((inChunk & 31) * 2)) & 3;
    }

    /**
     * Sets {@code count} blocks from {@code first} to {@code state} and marks their chunks dirty, even
     * where the state does not change: a flush syncs a layer's data only when some chunk is dirty, so
     * an overwrite in place must mark its chunk too.
     */
    void set(long first, long count, int state) {
        long block = first;
        long end = first + count;
        while (block < end) {
            int c = (int) (block / Layout.CHUNK_BLOCKS);
            int from = (int) (block % Layout.CHUNK_BLOCKS);
            int to = (int) Math.min(Layout.CHUNK_BLOCKS, from + (end - block));
            long[] chunk = chunks[c];
            if (chunk == null) {
                if (state == ABSENT) {
                    block += to - from;
                    continue;
                }
                chunk = chunks[c] = new long[LONGS_PER_CHUNK];
            }
            fill(chunk, from, to, state);
            if (state == ABSENT && from == 0 && to == Layout.CHUNK_BLOCKS) {
                chunks[c] = null;
            }
            markDirty(c);
            block += to - from;
        }
    }

    private static void fill(long[] chunk, int from, int to, int state) {
        long pattern = switch (state) {
            case ABSENT -> 0L;
            case DATA -> ALL_DATA;
            case ZERO -> ALL_ZERO;
            default -> throw new IllegalArgumentException("state " + state);
        };
        int i = from;
        while (i < to) {
            if ((i & 31) == 0 && to - i >= 32) {
                chunk[i >>> 5] = pattern;
                i += 32;
            } else {
                int shift = (i & 31) * 2;
                chunk[i >>> 5] = (chunk[i >>> 5] & ~(3L << shift)) | ((long) state << shift);
                i++;
            }
        }
    }

    /** Grows the map to {@code newBlocks}; new blocks are absent. */
    void grow(long newBlocks) {
        if (newBlocks > blocks) {
            chunks = Arrays.copyOf(chunks, Layout.chunkCount(newBlocks));
            dirty = Arrays.copyOf(dirty, (chunks.length + 63) / 64);
            blocks = newBlocks;
        }
    }

    /** Number of blocks holding data. */
    long dataBlocks() {
        long n = 0;
        for (long[] chunk : chunks) {
            if (chunk != null) {
                for (long word : chunk) {
                    n += Long.bitCount(word & ALL_DATA & ~(word >>> 1));
                }
            }
        }
        return n;
    }

    /** The chunks changed since their marks were last cleared. */
    BitSet dirtyChunks() {
        long[] words = dirty;
        long[] copy = new long[words.length];
        for (int i = 0; i < words.length; i++) {
            copy[i] = (long) WORD.getVolatile(words, i);
        }
        return BitSet.valueOf(copy);
    }

    void markDirty(int chunk) {
        WORD.getAndBitwiseOr(dirty, chunk >>> 6, 1L << (chunk & 63));
    }

    void clearDirty(int chunk) {
        WORD.getAndBitwiseAnd(dirty, chunk >>> 6, ~(1L << (chunk & 63)));
    }

    /** The on-disk record of a chunk: its longs, little endian. */
    byte[] encode(int chunk) {
        byte[] out = new byte[Layout.MAP_RECORD_BYTES];
        long[] entries = chunks[chunk];
        if (entries != null) {
            java.nio.ByteBuffer.wrap(out).order(java.nio.ByteOrder.LITTLE_ENDIAN).asLongBuffer().put(entries);
        }
        return out;
    }

    /** Loads one record read from disk; an all-zero record leaves the chunk absent. */
    void decode(int chunk, java.nio.ByteBuffer record) {
        long[] entries = new long[LONGS_PER_CHUNK];
        boolean any = false;
        java.nio.LongBuffer longs = record.order(java.nio.ByteOrder.LITTLE_ENDIAN).asLongBuffer();
        for (int i = 0; i < LONGS_PER_CHUNK; i++) {
            long word = longs.get(i);
            // 0b11 is no state we write; a torn or foreign record must not invent data
            if ((word & (word >>> 1) & ALL_DATA) != 0) {
                throw new IllegalStateException("block map record " + chunk + " holds an unknown state");
            }
            entries[i] = word;
            any |= word != 0;
        }
        chunks[chunk] = any ? entries : null;
    }

}
