package io.strata.bench;

import io.strata.bench.Report.Latencies;
import io.strata.domain.ByteSize;
import io.strata.domain.SnapshotName;
import io.strata.domain.VolumeName;
import io.strata.engine.Volume;
import io.strata.engine.VolumeStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Snapshot-create latency, in process: a large sparse volume is filled with 1 MiB writes spread
 * evenly across it up to each data size in turn, and at each size a series of snapshots is taken,
 * each after a few small writes and a flush, as a busy volume would see. A small, full volume is the
 * reference for "flat in the volume's size". Only {@code createSnapshot} is timed.
 */
final class SnapshotBenchmark {
    private static final int SMALL_WRITES = 16;

    private final Options options;

    SnapshotBenchmark(Options options) {
        this.options = options;
    }

    List<Latencies> run(Path dir) throws IOException {
        List<Latencies> cases = new ArrayList<>();
        try (VolumeStore store = VolumeStore.open(dir)) {
            Volume small = store.create(VolumeName.of("snap-small"), options.size());
            StrataBench.progress("snapshot latency: filling a " + ByteSize.human(options.size()) + " volume");
            Workload.sequentialWrite(small, options.size(), options.seed());
            cases.add(measure(small, "s", options.size(), "reference: small and full"));

            Volume big = store.create(VolumeName.of("snap-big"), options.snapshotVolume());
            long slots = options.snapshotVolume() / Workload.SEQUENTIAL_IO;
            BitSet written = new BitSet();
            ByteBuffer buffer = Workload.filled(Workload.SEQUENTIAL_IO, options.seed());
            int caseNumber = 0;
            for (long data : options.snapshotData()) {
                StrataBench.progress("snapshot latency: " + ByteSize.human(options.snapshotVolume()) + " volume, writing up to "
                        + ByteSize.human(data));
                long step = Math.max(1, slots / (data / Workload.SEQUENTIAL_IO));
                long start = System.nanoTime();
                long bytes = 0;
                for (long slot = 0; slot < slots; slot += step) {
                    if (!written.get((int) slot)) {
                        buffer.clear();
                        big.writeAt(buffer, slot * Workload.SEQUENTIAL_IO);
                        written.set((int) slot);
                        bytes += Workload.SEQUENTIAL_IO;
                    }
                }
                big.flush();
                double seconds = (System.nanoTime() - start) / 1e9;
                String note = String.format(java.util.Locale.ROOT, "(filled in 1 MiB writes every %s at %.0f MiB/s)",
                        ByteSize.human(step * Workload.SEQUENTIAL_IO), bytes / 1048576.0 / seconds);
                cases.add(measure(big, "c" + ++caseNumber, data, note));
            }
        }
        return cases;
    }

    private Latencies measure(Volume volume, String prefix, long data, String note) throws IOException {
        SplittableRandom random = new SplittableRandom(options.seed());
        ByteBuffer small = Workload.filled(Workload.RANDOM_IO, options.seed());
        long blocks = volume.size() / Workload.RANDOM_IO;
        double[] millis = new double[options.snapshots()];
        for (int i = 0; i < millis.length; i++) {
            for (int w = 0; w < SMALL_WRITES; w++) {
                small.clear();
                volume.writeAt(small, random.nextLong(blocks) * Workload.RANDOM_IO);
            }
            volume.flush();
            long start = System.nanoTime();
            volume.createSnapshot(SnapshotName.of(prefix + "-" + i), Map.of(), true);
            millis[i] = (System.nanoTime() - start) / 1e6;
        }
        return new Latencies(ByteSize.human(volume.size()), ByteSize.human(data), note, millis);
    }
}
