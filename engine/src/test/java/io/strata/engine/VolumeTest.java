package io.strata.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.domain.SnapshotName;
import io.strata.domain.StrataException;
import io.strata.domain.VolumeName;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class VolumeTest {
    private static final int BLOCK = 4096;

    @TempDir
    Path dataDir;
    VolumeStore store;

    @BeforeEach
    void open() throws IOException {
        store = VolumeStore.open(dataDir);
    }

    @AfterEach
    void close() throws IOException {
        store.close();
    }

    private static SnapshotName snap(String name) {
        return SnapshotName.of(name);
    }

    private static ByteBuffer filled(int length, int value) {
        byte[] bytes = new byte[length];
        java.util.Arrays.fill(bytes, (byte) value);
        return ByteBuffer.wrap(bytes);
    }

    @ParameterizedTest(name = "size {0}")
    @CsvSource(delimiter = '|', value = {
            "0|invalid volume size 0: give a positive multiple of 4 KiB (4096 bytes)",
            "-4096|invalid volume size -4096: give a positive multiple of 4 KiB (4096 bytes)",
            "1000|invalid volume size 1000: give a positive multiple of 4 KiB (4096 bytes)",
            "4097|invalid volume size 4097: give a positive multiple of 4 KiB (4096 bytes)",
    })
    void badSizesAreRefused(long size, String message) {
        assertThatThrownBy(() -> store.create(VolumeName.of("v"), size))
                .isExactlyInstanceOf(StrataException.InvalidArgument.class).hasMessage(message);
        assertThat(store.exists(VolumeName.of("v"))).isFalse();
    }

    @Test
    void tooLargeAVolumeIsOutOfRange() {
        assertThatThrownBy(() -> store.create(VolumeName.of("v"), 128L << 40))
                .isExactlyInstanceOf(StrataException.OutOfRange.class).hasMessage("volume size 140737488355328 is over the maximum of 64 TiB");
    }

    @Test
    void shrinkingIsOutOfRangeAndBadExpansionsInvalid() throws IOException {
        Volume v = store.create(VolumeName.of("v"), 1 << 20);
        assertThatThrownBy(() -> v.expand(512 << 10)).isExactlyInstanceOf(StrataException.OutOfRange.class)
                .hasMessage("volume 'v' is 1048576 bytes; it cannot shrink to 524288 bytes: give a size of at least 1048576");
        assertThatThrownBy(() -> v.expand((1 << 20) + 1)).isExactlyInstanceOf(StrataException.InvalidArgument.class);
        v.expand(1 << 20); // same size: nothing to do
        assertThat(v.size()).isEqualTo(1 << 20);
    }

    @Test
    void unknownVolumesAndSnapshotsAreNotFound() throws IOException {
        assertThatThrownBy(() -> store.open(VolumeName.of("nope"))).isExactlyInstanceOf(StrataException.NotFound.class)
                .hasMessage("volume 'nope' does not exist");
        assertThatThrownBy(() -> store.delete(VolumeName.of("nope"))).isExactlyInstanceOf(StrataException.NotFound.class);
        Volume v = store.create(VolumeName.of("v"), 1 << 20);
        String message = "snapshot 'nope' of volume 'v' does not exist";
        assertThatThrownBy(() -> v.deleteSnapshot(snap("nope"))).isExactlyInstanceOf(StrataException.NotFound.class).hasMessage(message);
        assertThatThrownBy(() -> v.revert(snap("nope"))).isExactlyInstanceOf(StrataException.NotFound.class).hasMessage(message);
        assertThatThrownBy(() -> v.openSnapshot(snap("nope"))).isExactlyInstanceOf(StrataException.NotFound.class).hasMessage(message);
        assertThatThrownBy(() -> v.changedExtents(Optional.of(snap("nope")), snap("nope")))
                .isExactlyInstanceOf(StrataException.NotFound.class);
        assertThatThrownBy(() -> store.clone(VolumeName.of("v"), Optional.of(snap("nope")), VolumeName.of("c")))
                .isExactlyInstanceOf(StrataException.NotFound.class).hasMessage(message);
        assertThat(store.exists(VolumeName.of("c"))).isFalse();
    }

    @Test
    void duplicatesAlreadyExist() throws IOException {
        Volume v = store.create(VolumeName.of("v"), 1 << 20);
        assertThatThrownBy(() -> store.create(VolumeName.of("v"), 1 << 20)).isExactlyInstanceOf(StrataException.AlreadyExists.class)
                .hasMessage("volume 'v' already exists");
        v.createSnapshot(snap("s"), Map.of(), true);
        assertThatThrownBy(() -> v.createSnapshot(snap("s"), Map.of(), true)).isExactlyInstanceOf(StrataException.AlreadyExists.class)
                .hasMessage("snapshot 's' of volume 'v' already exists");
        assertThatThrownBy(() -> store.clone(VolumeName.of("v"), Optional.empty(), VolumeName.of("v")))
                .isExactlyInstanceOf(StrataException.AlreadyExists.class);
        assertThat(v.snapshots()).extracting(SnapshotInfo::name).containsExactly(snap("s"));
    }

    @Test
    void ioOutsideTheVolumeIsOutOfRangeAndChangesNothing() throws IOException {
        Volume v = store.create(VolumeName.of("v"), 8 * BLOCK);
        assertThatThrownBy(() -> v.writeAt(filled(2, 1), 8 * BLOCK - 1)).isExactlyInstanceOf(StrataException.OutOfRange.class)
                .hasMessage("range 32767+2 is outside the volume's 32768 bytes");
        assertThatThrownBy(() -> v.readAt(ByteBuffer.allocate(1), -1)).isExactlyInstanceOf(StrataException.OutOfRange.class);
        assertThatThrownBy(() -> v.unmap(0, 9 * BLOCK)).isExactlyInstanceOf(StrataException.OutOfRange.class);
        assertThat(v.info().allocatedBytes()).isZero();
    }

    @Test
    void snapshotsAreReadOnlyThroughTheirReader() throws IOException {
        Volume v = store.create(VolumeName.of("v"), 1 << 20);
        v.createSnapshot(snap("s"), Map.of(), true);
        try (SnapshotReader reader = v.openSnapshot(snap("s"))) {
            assertThatThrownBy(() -> reader.writeAt(filled(1, 1), 0)).isExactlyInstanceOf(StrataException.FailedPrecondition.class)
                    .hasMessage("snapshot 's' is read-only: write to the volume, or clone the snapshot");
        }
    }

    @Test
    void allocationOfAWindowIsTheWholeAllocationCutToTheWindowsBlocks() throws IOException {
        Volume v = store.create(VolumeName.of("v"), 4096 * BLOCK);
        java.util.Random random = new java.util.Random(5);
        for (int i = 0; i < 300; i++) {
            v.writeAt(filled(1 + random.nextInt(3 * BLOCK), 1), random.nextLong(4090L * BLOCK));
            if (i == 150) {
                v.createSnapshot(snap("half"), Map.of(), true); // runs below the head come from a layer beneath
            }
        }
        v.unmap(100L * BLOCK, 50L * BLOCK);
        List<Extent> whole = v.allocatedExtents();
        try (SnapshotReader half = v.openSnapshot(snap("half"))) {
            List<Extent> wholeHalf = half.allocatedExtents();
            for (int i = 0; i < 500; i++) {
                long offset = random.nextLong(4096L * BLOCK);
                long length = random.nextLong(4096L * BLOCK - offset + 1);
                assertThat(v.allocatedExtents(offset, length)).as("%d+%d", offset, length).isEqualTo(cut(whole, offset, length));
                assertThat(half.allocatedExtents(offset, length)).as("snapshot %d+%d", offset, length)
                        .isEqualTo(cut(wholeHalf, offset, length));
            }
        }
        assertThat(v.allocatedExtents(0, 4096L * BLOCK)).isEqualTo(whole);
        assertThatThrownBy(() -> v.allocatedExtents(4096L * BLOCK - 1, 2)).isExactlyInstanceOf(StrataException.OutOfRange.class);
    }

    /** {@code extents} cut to the 4 KiB blocks that overlap {@code [offset, offset + length)}. */
    private static List<Extent> cut(List<Extent> extents, long offset, long length) {
        long from = offset / BLOCK * BLOCK;
        long to = (offset + length + BLOCK - 1) / BLOCK * BLOCK;
        List<Extent> out = new java.util.ArrayList<>();
        for (Extent e : extents) {
            long start = Math.max(e.offset(), from);
            long end = Math.min(e.end(), to);
            if (start < end) {
                out.add(new Extent(start, end - start));
            }
        }
        return out;
    }

    @Test
    void droppingTheCacheChangesNoContentAndSurvivesReopening() throws IOException {
        Volume v = store.create(VolumeName.of("v"), 64 * BLOCK);
        v.writeAt(filled(32 * BLOCK, 5), 0);
        v.flush();
        v.dropCache();
        v.writeAt(filled(BLOCK, 6), 40 * BLOCK); // after the drop, not yet flushed
        v.dropCache();
        ByteBuffer all = ByteBuffer.allocate(64 * BLOCK);
        v.readAt(all, 0);
        for (int i = 0; i < 64 * BLOCK; i++) {
            int expected = i < 32 * BLOCK ? 5 : (i >= 40 * BLOCK && i < 41 * BLOCK) ? 6 : 0;
            assertThat(all.get(i)).as("byte %d", i).isEqualTo((byte) expected);
        }
        v.flush();
        store.close();
        store = VolumeStore.open(dataDir);
        ByteBuffer again = ByteBuffer.allocate(64 * BLOCK);
        store.open(VolumeName.of("v")).readAt(again, 0);
        assertThat(again.flip()).isEqualTo(all.flip());
    }

    @Test
    void unwrittenAndPartlyWrittenBlocksReadCorrectly() throws IOException {
        Volume v = store.create(VolumeName.of("v"), 4 * BLOCK);
        v.writeAt(filled(4 * BLOCK, 9), 0);
        v.createSnapshot(snap("s"), Map.of(), true);
        v.writeAt(filled(10, 1), BLOCK + 5); // partial, over data in the snapshot below
        v.unmap(2 * BLOCK + 100, BLOCK);     // partial at both ends
        ByteBuffer all = ByteBuffer.allocate(4 * BLOCK);
        v.readAt(all, 0);
        for (int i = 0; i < 4 * BLOCK; i++) {
            int expected = (i >= BLOCK + 5 && i < BLOCK + 15) ? 1 : (i >= 2 * BLOCK + 100 && i < 3 * BLOCK + 100) ? 0 : 9;
            assertThat(all.get(i)).as("byte %d", i).isEqualTo((byte) expected);
        }
    }

    @Test
    void changedBlocksOfPlainWritesAreExactlyTheWrittenBlocks() throws IOException {
        Volume v = store.create(VolumeName.of("v"), 64L << 20);
        v.writeAt(filled(3 * BLOCK, 1), 10 * BLOCK);
        v.createSnapshot(snap("a"), Map.of(), true);
        v.writeAt(filled(100, 2), 40 * BLOCK + 10);             // one block
        v.writeAt(filled(BLOCK + 2, 3), (17L << 20) - 1);         // straddles a chunk edge: 3 blocks
        v.writeAt(filled(BLOCK, 4), 11 * BLOCK);                  // overwrites one block of a
        v.createSnapshot(snap("b"), Map.of(), true);
        assertThat(v.changedExtents(Optional.of(snap("a")), snap("b"))).containsExactly(
                new Extent(11 * BLOCK, BLOCK), new Extent(40 * BLOCK, BLOCK), new Extent((17L << 20) - BLOCK, 3 * BLOCK));
        assertThat(v.changedExtents(Optional.empty(), snap("a"))).containsExactly(new Extent(10 * BLOCK, 3 * BLOCK));
        v.createSnapshot(snap("c"), Map.of(), true);
        assertThat(v.changedExtents(Optional.of(snap("b")), snap("c"))).isEmpty();
    }

    @Test
    void changedBlocksStayCheapOnATebibyteVolume() throws IOException {
        Volume v = store.create(VolumeName.of("big"), 1L << 40);
        v.writeAt(filled(1 << 20, 1), 0);
        v.writeAt(filled(1 << 20, 2), (1L << 40) - (1 << 20));
        v.createSnapshot(snap("a"), Map.of(), true);
        v.writeAt(filled(BLOCK, 3), 500L << 30);
        v.createSnapshot(snap("b"), Map.of(), true);
        assertThat(v.changedExtents(Optional.of(snap("a")), snap("b"))).containsExactly(new Extent(500L << 30, BLOCK));
        assertThat(v.changedExtents(Optional.empty(), snap("b"))).containsExactly(
                new Extent(0, 1 << 20), new Extent(500L << 30, BLOCK), new Extent((1L << 40) - (1 << 20), 1 << 20));
        assertThat(v.info().allocatedBytes()).isEqualTo((2L << 20) + BLOCK);
    }

    @Test
    void deletingASnapshotKeepsEveryOtherViewAndReclaimsLayers() throws IOException {
        Volume v = store.create(VolumeName.of("v"), 16 * BLOCK);
        v.writeAt(filled(16 * BLOCK, 1), 0);
        v.createSnapshot(snap("s1"), Map.of(), true);
        v.writeAt(filled(4 * BLOCK, 2), 0);
        v.createSnapshot(snap("s2"), Map.of(), true);
        v.writeAt(filled(BLOCK, 3), 0);
        v.deleteSnapshot(snap("s1"));
        assertThat(v.info().layers()).isEqualTo(2);
        assertThat(v.snapshot(snap("s2")).parent()).isEmpty();
        ByteBuffer s2 = ByteBuffer.allocate(16 * BLOCK);
        try (SnapshotReader reader = v.openSnapshot(snap("s2"))) {
            reader.readAt(s2, 0);
        }
        assertThat(s2.get(0)).isEqualTo((byte) 2);
        assertThat(s2.get(5 * BLOCK)).isEqualTo((byte) 1);
    }

    @Test
    void aSnapshotBeingReadIsMergedOnlyAfterItsReaderCloses() throws IOException {
        Volume v = store.create(VolumeName.of("v"), 16 * BLOCK);
        v.writeAt(filled(16 * BLOCK, 5), 0);
        v.createSnapshot(snap("s1"), Map.of(), true);
        v.writeAt(filled(BLOCK, 6), 0);
        SnapshotReader reader = v.openSnapshot(snap("s1"));
        v.deleteSnapshot(snap("s1"));
        assertThat(v.snapshots()).isEmpty();
        assertThat(v.info().layers()).as("the layer waits for its reader").isEqualTo(2);
        ByteBuffer content = ByteBuffer.allocate(16 * BLOCK);
        reader.readAt(content, 0);
        assertThat(content.get(0)).isEqualTo((byte) 5);
        reader.close();
        assertThat(v.info().layers()).isEqualTo(1);
    }

    @Test
    void revertKeepsLaterSnapshotsAndTheSize() throws IOException {
        Volume v = store.create(VolumeName.of("v"), 4 * BLOCK);
        v.writeAt(filled(BLOCK, 1), 0);
        v.createSnapshot(snap("s1"), Map.of(), true);
        v.writeAt(filled(BLOCK, 2), 0);
        v.createSnapshot(snap("s2"), Map.of(), true);
        v.expand(8 * BLOCK);
        v.writeAt(filled(BLOCK, 3), 7 * BLOCK);
        v.revert(snap("s1"));
        assertThat(v.size()).isEqualTo(8 * BLOCK);
        ByteBuffer all = ByteBuffer.allocate(8 * BLOCK);
        v.readAt(all, 0);
        assertThat(all.get(0)).isEqualTo((byte) 1);
        assertThat(all.get(7 * BLOCK)).isZero();
        assertThat(v.snapshots()).extracting(SnapshotInfo::name).containsExactly(snap("s1"), snap("s2"));
    }

    @Test
    void tooManyLayersIsResourceExhausted() throws IOException {
        Volume v = store.create(VolumeName.of("v"), BLOCK);
        for (int i = 0; i < 253; i++) {
            v.createSnapshot(snap("s" + i), Map.of(), true);
        }
        assertThatThrownBy(() -> v.createSnapshot(snap("one-more"), Map.of(), true))
                .isExactlyInstanceOf(StrataException.ResourceExhausted.class)
                .hasMessage("volume 'v' holds 254 layers, the most it may: delete snapshots before taking more");
        v.deleteSnapshot(snap("s100"));
        v.createSnapshot(snap("one-more"), Map.of(), true);
    }

    @Test
    void manyThreadsWriteAndReadWhileSnapshotsAreTaken() throws Exception {
        int threads = 6;
        long region = 2L << 20;
        Volume v = store.create(VolumeName.of("v"), threads * region);
        ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
        try {
            List<Future<byte[]>> writers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                writers.add(pool.submit(() -> {
                    Random random = new Random(id);
                    byte[] model = new byte[(int) region];
                    for (int i = 0; i < 400; i++) {
                        int len = 1 + random.nextInt(3 * BLOCK);
                        int off = random.nextInt((int) region - len);
                        byte[] data = new byte[len];
                        random.nextBytes(data);
                        v.writeAt(ByteBuffer.wrap(data), id * region + off);
                        System.arraycopy(data, 0, model, off, len);
                        if (i % 50 == 0) {
                            v.flush();
                        }
                    }
                    return model;
                }));
            }
            Future<?> snapshotter = pool.submit(() -> {
                java.util.Deque<String> live = new java.util.ArrayDeque<>();
                for (int i = 0; i < 30; i++) {
                    v.createSnapshot(snap("c" + i), Map.of(), true);
                    live.addLast("c" + i);
                    if (i % 3 == 0) {
                        v.deleteSnapshot(snap(live.removeLast())); // the newest: merged into the head under writes
                    } else if (live.size() > 2) {
                        v.deleteSnapshot(snap(live.removeFirst())); // the oldest: merged into a snapshot
                    }
                }
                return null;
            });
            snapshotter.get(60, TimeUnit.SECONDS);
            for (int t = 0; t < threads; t++) {
                byte[] model = writers.get(t).get(60, TimeUnit.SECONDS);
                ByteBuffer actual = ByteBuffer.allocate((int) region);
                v.readAt(actual, t * region);
                assertThat(actual.array()).as("region of writer %d", t).isEqualTo(model);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void mergingTheNewestSnapshotIntoTheHeadNeverUndoesAConcurrentWrite() throws Exception {
        int blocks = 4096; // one chunk: the writers are still going round it while the merge copies
        Volume v = store.create(VolumeName.of("v"), blocks * BLOCK);
        int writers = 2;
        int[][] last = new int[writers][blocks];
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int id = w;
                running.add(pool.submit(() -> {
                    ByteBuffer block = ByteBuffer.allocate(BLOCK);
                    ByteBuffer check = ByteBuffer.allocate(4);
                    for (int value = 1; !stop.get(); value++) {
                        for (int b = id; b < blocks; b += writers) {
                            // only this writer writes block b: it must still hold what this writer wrote last
                            v.readAt(check.clear(), (long) b * BLOCK);
                            if (check.getInt(0) != last[id][b]) {
                                throw new AssertionError("block " + b + " went back from " + last[id][b] + " to " + check.getInt(0));
                            }
                            block.clear();
                            while (block.hasRemaining()) {
                                block.putInt(value);
                            }
                            v.writeAt(block.flip(), (long) b * BLOCK);
                            last[id][b] = value;
                        }
                    }
                    return null;
                }));
            }
            for (int i = 0; i < 40; i++) {
                v.createSnapshot(snap("n" + i), Map.of(), true);
                v.deleteSnapshot(snap("n" + i));
            }
            stop.set(true);
            for (Future<?> f : running) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        ByteBuffer all = ByteBuffer.allocate(blocks * BLOCK);
        v.readAt(all, 0);
        for (int b = 0; b < blocks; b++) {
            assertThat(all.getInt(b * BLOCK)).as("block %d holds its writer's last value", b).isEqualTo(last[b % writers][b]);
        }
    }

    @Test
    void corruptOrNewerMetadataIsRefusedWithATypedError() throws IOException {
        store.create(VolumeName.of("v"), 1 << 20);
        store.close();
        Path meta = dataDir.resolve("volumes/v/volume.meta");
        String text = Files.readString(meta);
        Files.writeString(meta, text.replace("size 1048576", "size 2097152"));
        store = VolumeStore.open(dataDir);
        assertThatThrownBy(() -> store.open(VolumeName.of("v"))).isExactlyInstanceOf(StrataException.Corrupt.class)
                .hasMessageContaining("fails its checksum");
        store.close();
        Files.writeString(meta, "garbage");
        store = VolumeStore.open(dataDir);
        assertThatThrownBy(() -> store.open(VolumeName.of("v"))).isExactlyInstanceOf(StrataException.Corrupt.class)
                .hasMessageEndingWith("volume.meta is not a Strata volume metadata file");
    }

    @Test
    void aMissingLayerFileIsReportedAsDamageNotAsAnIoError() throws IOException {
        Volume v = store.create(VolumeName.of("v"), 1 << 20);
        v.createSnapshot(snap("s"), Map.of(), true);
        store.close();
        Path layer = dataDir.resolve("volumes/v/layer-000001.map");
        Files.delete(layer);
        store = VolumeStore.open(dataDir);
        assertThatThrownBy(() -> store.open(VolumeName.of("v"))).isExactlyInstanceOf(StrataException.Corrupt.class)
                .hasMessage("volume 'v' is damaged: its metadata names " + layer + ", which is missing; restore the volume from a backup");
    }

    @Test
    void aNewerLayerFormatAsksForAnUpgrade() throws IOException {
        store.create(VolumeName.of("v"), 1 << 20);
        store.close();
        Path layer = dataDir.resolve("volumes/v/layer-000001.data");
        byte[] bytes = Files.readAllBytes(layer);
        bytes["strata-layer ".length()] = '9';
        Files.write(layer, bytes);
        store = VolumeStore.open(dataDir);
        assertThatThrownBy(() -> store.open(VolumeName.of("v"))).isExactlyInstanceOf(StrataException.Corrupt.class)
                .hasMessageEndingWith("has format version 9; this Strata reads version 1: upgrade Strata to open it");
    }

    @Test
    void oneOwnerAtATimeForADataDirectory() {
        assertThatThrownBy(() -> VolumeStore.open(dataDir)).isExactlyInstanceOf(StrataException.Unavailable.class)
                .hasMessageContaining("is in use by another Strata process");
    }

    @Test
    void deleteRemovesEverything() throws IOException {
        Volume v = store.create(VolumeName.of("v"), 1 << 20);
        v.writeAt(filled(BLOCK, 1), 0);
        v.createSnapshot(snap("s"), Map.of(), true);
        store.delete(VolumeName.of("v"));
        assertThat(store.list()).isEmpty();
        assertThat(dataDir.resolve("volumes")).isEmptyDirectory();
    }
}
