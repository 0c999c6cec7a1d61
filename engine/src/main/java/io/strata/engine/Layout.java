package io.strata.engine;

/** The geometry of layer files and maps, shared by every part of the engine. */
final class Layout {
    /** The unit of allocation and of the chain's resolution. */
    static final int BLOCK = 4096;
    static final int BLOCK_SHIFT = 12;
    /** Blocks per map chunk and per index chunk (16 MiB of volume). */
    static final int CHUNK_BLOCKS = 4096;
    /** Bytes of one chunk's map record: 2 bits per block. */
    static final int MAP_RECORD_BYTES = CHUNK_BLOCKS / 4;
    /** Every layer and map file starts with a header of this size. */
    static final int HEADER = 4096;
    /**
     * Where block 0 lives in a layer's data file; block {@code b} is at {@code DATA_OFFSET + b * BLOCK}.
     * Aligned to 1 MiB, not just after the header, so that the page cache can hold the data in large
     * folios: data 4 KiB off alignment reads measurably slower. The gap is a hole and costs nothing.
     */
    static final int DATA_OFFSET = 1 << 20;
    /** Layers one volume may hold (snapshots, hidden layers awaiting merge, the head). */
    static final int MAX_LAYERS = 254;

    private Layout() {}

    static int chunkCount(long blocks) {
        return (int) ((blocks + CHUNK_BLOCKS - 1) / CHUNK_BLOCKS);
    }

    static long mapPosition(int chunk) {
        return HEADER + (long) chunk * MAP_RECORD_BYTES;
    }
}
