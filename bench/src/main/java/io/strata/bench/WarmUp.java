package io.strata.bench;

import io.strata.domain.SnapshotName;
import io.strata.domain.VolumeName;
import io.strata.engine.BlockDevice;
import io.strata.engine.Volume;
import io.strata.engine.VolumeStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Runs every pattern on small scratch targets until the JIT has compiled both the engine's and the
 * plain file's paths, so that the first timed phase does not pay for compilation.
 */
final class WarmUp {
    private static final long SIZE = 64L << 20;
    private static final int OPS = 20_000;
    private static final int ROUNDS = 4;

    private WarmUp() {}

    static void run(Path dir, int threads) throws IOException {
        try (VolumeStore store = VolumeStore.open(dir.resolve("store"));
             PlainFileDevice plain = PlainFileDevice.create(dir.resolve("plain.img"), SIZE)) {
            Volume volume = store.create(VolumeName.of("warm-up"), SIZE);
            for (int round = 0; round < ROUNDS; round++) {
                exercise(plain, round, threads);
                exercise(volume, round, threads);
                volume.createSnapshot(SnapshotName.of("warm-up-" + round), Map.of(), true);
            }
        }
    }

    private static void exercise(BlockDevice device, int round, int threads) throws IOException {
        long blocks = SIZE / Workload.RANDOM_IO;
        Workload.sequentialWrite(device, SIZE, round);
        Workload.sequentialRead(device, SIZE);
        for (int t : new int[] {1, threads}) {
            Workload.randomWrite(device, Workload.randomBlocks(blocks, OPS, t, round), round);
            Workload.randomRead(device, Workload.randomBlocks(blocks, OPS, t, round + 1));
        }
    }
}
