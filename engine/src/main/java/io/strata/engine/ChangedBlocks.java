package io.strata.engine;

import io.strata.engine.VolumeMeta.LayerRecord;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.IntFunction;

/**
 * The blocks whose content may differ between two snapshots, from allocation metadata alone: every
 * block any layer between them holds (data or a zero mark). The layers between are those on either
 * snapshot's chain below their common ancestor. The cost follows the number of map chunks, not the
 * volume's size or data: a chunk no layer touched is skipped in one step.
 */
final class ChangedBlocks {
    private ChangedBlocks() {}

    static List<Extent> between(VolumeMeta meta, int fromId, int toId, IntFunction<BlockMap> maps) {
        List<LayerRecord> toChain = meta.chain(toId);
        List<LayerRecord> fromChain = meta.chain(fromId);
        List<BlockMap> changed = new ArrayList<>();
        collectUntilShared(toChain, fromChain, maps, changed);
        collectUntilShared(fromChain, toChain, maps, changed);
        long blocks = meta.layer(toId).size() / Layout.BLOCK;
        ExtentBuilder out = new ExtentBuilder();
        int chunks = Layout.chunkCount(blocks);
        long[] union = new long[BlockMap.LONGS_PER_CHUNK];
        for (int c = 0; c < chunks; c++) {
            boolean any = false;
            java.util.Arrays.fill(union, 0);
            for (BlockMap map : changed) {
                long[] entries = map.chunk(c);
                if (entries != null) {
                    any = true;
                    for (int w = 0; w < union.length; w++) {
                        union[w] |= (entries[w] | (entries[w] >>> 1)) & BlockMap.ALL_DATA;
                    }
                }
            }
            if (any) {
                long base = (long) c * Layout.CHUNK_BLOCKS;
                for (int w = 0; w < union.length; w++) {
                    long word = union[w];
                    while (word != 0) {
                        int bit = Long.numberOfTrailingZeros(word);
                        long block = base + w * 32L + bit / 2;
                        if (block < blocks) {
                            out.add(block, 1);
                        }
                        word &= word - 1;
                    }
                }
            }
        }
        return out.extents();
    }

    private static void collectUntilShared(List<LayerRecord> chain, List<LayerRecord> other, IntFunction<BlockMap> maps,
                                           List<BlockMap> out) {
        Set<Integer> otherIds = new HashSet<>();
        other.forEach(l -> otherIds.add(l.id()));
        for (LayerRecord layer : chain) {
            if (otherIds.contains(layer.id())) {
                return;
            }
            out.add(maps.apply(layer.id()));
        }
    }

    /** Collects block runs, merging each with the previous one when they touch. */
    static final class ExtentBuilder {
        private final List<Extent> extents = new ArrayList<>();
        private long start = -1;
        private long end = -1;

        void add(long firstBlock, long count) {
            if (firstBlock == end) {
                end += count;
                return;
            }
            if (start >= 0) {
                extents.add(new Extent(start << Layout.BLOCK_SHIFT, (end - start) << Layout.BLOCK_SHIFT));
            }
            start = firstBlock;
            end = firstBlock + count;
        }

        List<Extent> extents() {
            if (start >= 0) {
                extents.add(new Extent(start << Layout.BLOCK_SHIFT, (end - start) << Layout.BLOCK_SHIFT));
                start = -1;
                end = -1;
            }
            return extents;
        }
    }
}
