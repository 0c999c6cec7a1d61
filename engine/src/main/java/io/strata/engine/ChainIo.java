package io.strata.engine;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The data path of a volume's live chain: the head, the chain index over it, and the slot table
 * from index entries to layers. Reads resolve runs of blocks through the index; writes go to the
 * head, partial blocks by read-modify-write; flush makes the head's data durable before its map.
 *
 * <p>{@link Volume} guards it: I/O runs under the volume's shared I/O lock, and the chain is only
 * swapped ({@link #install}, {@link #replace}) under the exclusive one. Writers of one chunk are
 * serialised by the {@link StripeLocks}, which merges into the head take too.
 */
final class ChainIo {
    private final StripeLocks stripes = new StripeLocks();
    private final ReentrantLock flushLock = new ReentrantLock();
    private volatile Layer head;
    private volatile ChainIndex index;
    private volatile Layer[] slots;

    ChainIo(Layer head, ChainIndex index, Layer[] slots) {
        this.head = head;
        this.index = index;
        this.slots = slots;
    }

    Layer head() {
        return head;
    }

    ChainIndex index() {
        return index;
    }

    StripeLocks stripes() {
        return stripes;
    }

    /** Puts a new layer in the slot table and, when {@code newHead}, makes it the head (the index stays valid). */
    void install(Layer layer, boolean newHead) {
        Layer[] changed = slots.clone();
        changed[layer.slot()] = layer;
        slots = changed;
        if (newHead) {
            head = layer;
        }
    }

    /** Takes a layer out of the slot table; no index entry may point at it any more. */
    void remove(Layer layer) {
        Layer[] changed = slots.clone();
        changed[layer.slot()] = null;
        slots = changed;
    }

    /** Replaces head and index at once, e.g. after a revert. */
    void replace(Layer newHead, ChainIndex newIndex) {
        head = newHead;
        index = newIndex;
    }

    int freeSlot() {
        Layer[] current = slots;
        for (int s = 1; s < current.length; s++) {
            if (current[s] == null) {
                return s;
            }
        }
        return -1;
    }

    void read(ByteBuffer dst, long offset) throws IOException {
        readResolved(dst, offset, index, slots);
    }

    /** Reads through a chain index: runs of blocks held by one layer become one read. */
    static void readResolved(ByteBuffer dst, long offset, ChainIndex index, Layer[] slots) throws IOException {
        // one segment over the whole buffer, so that each piece is a copy and not a new buffer
        MemorySegment target = MemorySegment.ofBuffer(dst);
        int length = dst.remaining();
        int done = 0;
        while (done < length) {
            long pos = offset + done;
            long block = pos >>> Layout.BLOCK_SHIFT;
            int inBlock = (int) (pos & (Layout.BLOCK - 1));
            long lastBlock = (offset + length - 1) >>> Layout.BLOCK_SHIFT;
            long run = index.run(block, (int) Math.min(lastBlock - block + 1, 1 << 20));
            int bytes = (int) Math.min(length - done, ((long) ChainIndex.countOf(run) << Layout.BLOCK_SHIFT) - inBlock);
            int slot = ChainIndex.slotOf(run);
            if (slot == 0) {
                target.asSlice(done, bytes).fill((byte) 0);
            } else {
                slots[slot].read(target, done, bytes, pos);
            }
            done += bytes;
        }
        dst.position(dst.limit());
    }

    void write(ByteBuffer src, long offset) throws IOException {
        Layer h = head;
        ChainIndex idx = index;
        long firstBlock = offset >>> Layout.BLOCK_SHIFT;
        long lastBlock = (offset + src.remaining() - 1) >>> Layout.BLOCK_SHIFT;
        long locked = stripes.lock(chunkOf(firstBlock), chunkOf(lastBlock));
        try {
            long pos = offset;
            while (src.hasRemaining()) {
                long block = pos >>> Layout.BLOCK_SHIFT;
                int inBlock = (int) (pos & (Layout.BLOCK - 1));
                int n;
                int blocks;
                if (inBlock != 0 || src.remaining() < Layout.BLOCK) {
                    n = Math.min(Layout.BLOCK - inBlock, src.remaining());
                    blocks = 1;
                    writePartialBlock(h, idx, src.slice(src.position(), n), block, inBlock);
                } else {
                    n = src.remaining() & ~(Layout.BLOCK - 1);
                    blocks = n >>> Layout.BLOCK_SHIFT;
                    h.write(src.slice(src.position(), n), pos);
                }
                // the map and index change only once the data is in the file
                h.map().set(block, blocks, BlockMap.DATA);
                idx.set(block, blocks, h.slot());
                src.position(src.position() + n);
                pos += n;
            }
        } finally {
            stripes.unlock(locked);
        }
    }

    /** A write to part of a block: straight into the head if it holds the block, else read-modify-write. */
    private void writePartialBlock(Layer h, ChainIndex idx, ByteBuffer part, long block, int inBlock) throws IOException {
        long blockStart = block << Layout.BLOCK_SHIFT;
        if (h.map().get(block) == BlockMap.DATA) {
            h.write(part, blockStart + inBlock);
            return;
        }
        ByteBuffer whole = ByteBuffer.allocate(Layout.BLOCK);
        readResolved(whole, blockStart, idx, slots);
        whole.put(inBlock, part, part.position(), part.remaining());
        whole.clear();
        h.write(whole, blockStart);
    }

    /**
     * Makes whole blocks {@code [first, end)} read as zeroes. Only blocks that do not read as zeroes
     * yet change, so zeroing zeroes is no change; the head's space for them is released.
     *
     * @param masks the head has a parent whose data the zeroes must hide
     */
    void zeroBlocks(long first, long end, boolean masks) throws IOException {
        Layer h = head;
        ChainIndex idx = index;
        for (long block = first; block < end; ) {
            int chunk = chunkOf(block);
            long pieceEnd = Math.min(end, (long) (chunk + 1) * Layout.CHUNK_BLOCKS);
            long locked = stripes.lockChunk(chunk);
            try {
                for (long b = block; b < pieceEnd; ) {
                    long run = idx.run(b, (int) (pieceEnd - b));
                    int count = ChainIndex.countOf(run);
                    int slot = ChainIndex.slotOf(run);
                    if (slot != 0) {
                        if (slot == h.slot()) {
                            h.punch(b << Layout.BLOCK_SHIFT, (long) count << Layout.BLOCK_SHIFT);
                        }
                        h.map().set(b, count, masks ? BlockMap.ZERO : BlockMap.ABSENT);
                        idx.set(b, count, 0);
                    }
                    b += count;
                }
            } finally {
                stripes.unlock(locked);
            }
            block = pieceEnd;
        }
    }

    /** Makes the head's acknowledged writes durable: data first, then the map that points at it. */
    void flush() throws IOException {
        flushLock.lock();
        try {
            head.persistMap(this::takeDirtyRecords);
        } finally {
            flushLock.unlock();
        }
    }

    /** Drops the head's clean cached data pages; see {@link Volume#dropCache}. */
    void dropCache() throws IOException {
        head.dropCache();
    }

    private List<Layer.MapRecord> takeDirtyRecords(BlockMap map) {
        List<Layer.MapRecord> records = new ArrayList<>();
        BitSet dirty = map.dirtyChunks();
        for (int c = dirty.nextSetBit(0); c >= 0; c = dirty.nextSetBit(c + 1)) {
            long locked = stripes.lockChunk(c);
            try {
                map.clearDirty(c);
                records.add(new Layer.MapRecord(c, map.encode(c)));
            } finally {
                stripes.unlock(locked);
            }
        }
        return records;
    }

    /** Sorted, merged ranges whose blocks resolve to some layer (not to zeroes), within {@code size}. */
    static List<Extent> allocatedExtents(ChainIndex index, long size) {
        return allocatedExtents(index, size, 0, size);
    }

    /**
     * As {@link #allocatedExtents(ChainIndex, long)}, for the blocks that overlap {@code [offset,
     * offset + length)} only: the cost follows the runs in that window, not in the volume. Extents
     * are cut at the window's block boundaries.
     */
    static List<Extent> allocatedExtents(ChainIndex index, long size, long offset, long length) {
        ChangedBlocks.ExtentBuilder out = new ChangedBlocks.ExtentBuilder();
        long blocks = Math.min(size, offset + length + Layout.BLOCK - 1) / Layout.BLOCK;
        long block = offset / Layout.BLOCK;
        while (block < blocks) {
            long run = index.run(block, (int) Math.min(blocks - block, 1 << 30));
            int count = ChainIndex.countOf(run);
            if (ChainIndex.slotOf(run) != 0) {
                out.add(block, count);
            }
            block += count;
        }
        return out.extents();
    }

    private static int chunkOf(long block) {
        return (int) (block / Layout.CHUNK_BLOCKS);
    }
}
