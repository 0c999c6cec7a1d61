package io.strata.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.domain.SnapshotName;
import io.strata.domain.VolumeName;
import io.strata.engine.storage.MemoryStorage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What a crash does to data: every write acknowledged before a flush returned survives, and a block
 * written (or zeroed) since then reads as its old or its new content, never as anything else. The
 * crash is placed at every step of the flush, and once after it.
 */
class FlushCrashTest {
    private static final Path DATA = Path.of("/data");
    private static final VolumeName V = VolumeName.of("v");
    private static final int BLOCK = 4096;
    private static final int SIZE = 64 * BLOCK;

    /** Flushed content, then unflushed changes on top; both sides kept as models. */
    private record Run(MemoryStorage storage, VolumeStore store, Volume volume, byte[] before, byte[] after) {}

    private static Run prepare(long seed, boolean snapshotBetween) throws IOException {
        Random random = new Random(seed);
        MemoryStorage storage = new MemoryStorage();
        VolumeStore store = VolumeStore.open(DATA, storage);
        Volume volume = store.create(V, SIZE);
        byte[] model = new byte[SIZE];
        for (int i = 0; i < 20; i++) {
            write(volume, model, random);
        }
        volume.flush();
        if (snapshotBetween) {
            volume.createSnapshot(SnapshotName.of("s"), Map.of(), true);
        }
        byte[] before = model.clone();
        for (int i = 0; i < 20; i++) {
            if (random.nextInt(4) == 0) {
                int blocks = 1 + random.nextInt(4);
                long at = random.nextInt(SIZE / BLOCK - blocks) * (long) BLOCK;
                volume.unmap(at, (long) blocks * BLOCK);
                Arrays.fill(model, (int) at, (int) at + blocks * BLOCK, (byte) 0);
            } else {
                write(volume, model, random);
            }
        }
        return new Run(storage, store, volume, before, model);
    }

    private static void write(Volume volume, byte[] model, Random random) throws IOException {
        int length = 1 + random.nextInt(3 * BLOCK);
        int offset = random.nextInt(SIZE - length);
        byte[] data = new byte[length];
        random.nextBytes(data);
        volume.writeAt(ByteBuffer.wrap(data), offset);
        System.arraycopy(data, 0, model, offset, length);
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6})
    void flushedDataSurvivesAndUnflushedBlocksAreOldOrNew(long seed) throws IOException {
        for (boolean snapshotBetween : new boolean[] {false, true}) {
            Run probe = prepare(seed, snapshotBetween);
            int start = probe.storage().mutatingOps();
            probe.volume().flush();
            int steps = probe.storage().mutatingOps() - start;
            assertThat(steps).isPositive();

            for (int step = 0; step <= steps; step++) {
                Run run = prepare(seed, snapshotBetween);
                boolean crashedInFlush = step < steps;
                if (crashedInFlush) {
                    run.storage().crashAfter(step);
                    try {
                        run.volume().flush();
                        throw new AssertionError("no crash at step " + step);
                    } catch (IOException expected) {
                        // the simulated crash
                    }
                } else {
                    run.volume().flush();
                }
                run.storage().crash();
                byte[] content = readAll(run.storage());
                for (int b = 0; b < SIZE / BLOCK; b++) {
                    byte[] actual = Arrays.copyOfRange(content, b * BLOCK, (b + 1) * BLOCK);
                    byte[] old = Arrays.copyOfRange(run.before(), b * BLOCK, (b + 1) * BLOCK);
                    byte[] fresh = Arrays.copyOfRange(run.after(), b * BLOCK, (b + 1) * BLOCK);
                    String where = "seed " + seed + (snapshotBetween ? " with a snapshot" : "") + ", crash at step " + step
                            + " of " + steps + ", block " + b;
                    if (crashedInFlush) {
                        assertThat(Arrays.equals(actual, old) || Arrays.equals(actual, fresh)).as(where + " is old or new").isTrue();
                    } else {
                        assertThat(actual).as(where + ": a completed flush keeps everything").isEqualTo(fresh);
                    }
                }
            }
        }
    }

    @org.junit.jupiter.api.Test
    void overwritesInPlaceAloneAreDurableAfterAFlush() throws IOException {
        MemoryStorage storage = new MemoryStorage();
        byte[] model = new byte[SIZE];
        new Random(9).nextBytes(model);
        try (VolumeStore store = VolumeStore.open(DATA, storage)) {
            Volume volume = store.create(V, SIZE);
            volume.writeAt(ByteBuffer.wrap(model), 0);
            volume.flush();
            // every block is already in the head: these writes change no block's state
            byte[] again = new byte[3 * BLOCK + 100];
            new Random(10).nextBytes(again);
            volume.writeAt(ByteBuffer.wrap(again), 5 * BLOCK + 7);
            System.arraycopy(again, 0, model, 5 * BLOCK + 7, again.length);
            volume.flush();
            storage.crash();
        }
        assertThat(readAll(storage)).isEqualTo(model);
    }

    private static byte[] readAll(MemoryStorage storage) throws IOException {
        try (VolumeStore store = VolumeStore.open(DATA, storage)) {
            ByteBuffer all = ByteBuffer.allocate(SIZE);
            store.open(V).readAt(all, 0);
            return all.array();
        }
    }
}
