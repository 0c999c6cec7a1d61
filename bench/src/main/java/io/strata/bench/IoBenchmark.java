package io.strata.bench;

import io.strata.bench.Report.Row;
import io.strata.bench.Workload.Result;
import io.strata.domain.SnapshotName;
import io.strata.domain.VolumeName;
import io.strata.engine.BlockDevice;
import io.strata.engine.Volume;
import io.strata.engine.VolumeStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The I/O table: the same patterns, at the same offsets with the same buffers, on a plain file, a
 * volume of one layer and a volume of many layers, all three on the same disk and in the same
 * process. Phases run in turn on the three targets (rotating which goes first) so that drift in the
 * machine's state is shared rather than charged to one column.
 */
final class IoBenchmark {
    private static final int BLOCK = Workload.RANDOM_IO;
    /** Share of the blocks each layering round overwrites. */
    private static final double OVERWRITE_SHARE = 0.10;

    /** A timed pattern; the order is the order they run in. */
    enum Phase {
        FILL("seq write 1 MiB, into empty target", false, true),
        SEQ_READ("seq read 1 MiB", false, false),
        RANDOM_READ("rand read 4 KiB", true, false),
        RANDOM_READ_THREADS("rand read 4 KiB, %d threads", true, false),
        RANDOM_WRITE("rand write 4 KiB", true, true),
        RANDOM_WRITE_THREADS("rand write 4 KiB, %d threads", true, true),
        SEQ_WRITE("seq write 1 MiB, over data", false, true);

        final String label;
        final boolean random;
        final boolean write;

        Phase(String label, boolean random, boolean write) {
            this.label = label;
            this.random = random;
            this.write = write;
        }

        boolean threaded() {
            return this == RANDOM_READ_THREADS || this == RANDOM_WRITE_THREADS;
        }
    }

    /** One column: a device, and for the layered volume a way to start each write repetition on an empty head. */
    private static final class Target {
        final BlockDevice device;
        final Volume layeredVolume;
        final Map<Phase, List<Result>> results = new EnumMap<>(Phase.class);
        int writeSnapshots;

        Target(BlockDevice device, Volume layeredVolume) {
            this.device = device;
            this.layeredVolume = layeredVolume;
        }

        void record(Phase phase, Result result) {
            results.computeIfAbsent(phase, p -> new ArrayList<>()).add(result);
        }

        /** Untimed: the layered volume's writes land in a head that holds none of the data yet. */
        void beforeWrite() throws IOException {
            if (layeredVolume != null) {
                layeredVolume.createSnapshot(SnapshotName.of("before-write-" + ++writeSnapshots), Map.of(), true);
            }
        }
    }

    /** What the table shows, plus facts about the layered volume for the header. */
    record Outcome(List<Row> rows, double runsPerSequentialRead, int layersAtStart, int layersAtEnd,
                   double newPlainFileMibPerSecond) {}

    private final Options options;
    private final long blocks;

    IoBenchmark(Options options) {
        this.options = options;
        this.blocks = options.size() / BLOCK;
    }

    Outcome run(Path dir) throws IOException {
        PlainFileDevice plainFile = null;
        try (VolumeStore store = VolumeStore.open(dir.resolve("store"))) {
            List<Target> targets = fill(dir, store);
            plainFile = (PlainFileDevice) targets.get(0).device;
            Volume layeredVolume = targets.get(2).layeredVolume;
            StrataBench.progress("I/O table: layering");
            byte[] layerOf = layer(targets, layeredVolume);
            int layersAtStart = layeredVolume.info().layers();
            verify(targets, "after layering");

            for (Phase phase : Phase.values()) {
                if (phase == Phase.FILL || (phase.threaded() && options.threads() <= 1)) {
                    continue;
                }
                StrataBench.progress("I/O table: " + phase.label.formatted(options.threads()));
                int warmUps = phase.write ? 0 : 1; // reads are repeatable, so one untimed pass costs nothing in meaning
                for (int rep = -warmUps; rep < options.repetitions(); rep++) {
                    for (int i = 0; i < targets.size(); i++) {
                        Target target = targets.get(Math.floorMod(rep + i, targets.size()));
                        Result result = runOnce(phase, rep, target);
                        if (rep >= 0) {
                            target.record(phase, result);
                        }
                    }
                }
            }
            double newPlainFile = newPlainFileReference(dir);
            verify(targets, "after the write phases");
            int layersAtEnd = layeredVolume.info().layers();
            return new Outcome(rows(targets), runsPerSequentialRead(layerOf), layersAtStart, layersAtEnd, newPlainFile);
        } finally {
            if (plainFile != null) {
                plainFile.close();
            }
        }
    }

    /**
     * A new plain file written like the last row, right after it: what writing into fresh space costs
     * at this point of the run, the fair reference for the layered volume's writes into an empty head.
     */
    private double newPlainFileReference(Path dir) throws IOException {
        StrataBench.progress("I/O table: reference, a new plain file written in 1 MiB writes");
        Path path = dir.resolve("plain-reference.img");
        Result result;
        try (PlainFileDevice file = PlainFileDevice.create(path, options.size())) {
            result = Workload.sequentialWrite(file, options.size(), seedOf(Phase.SEQ_WRITE, 0));
        }
        Files.delete(path);
        return result.mibPerSecond();
    }

    /**
     * The fill row: each repetition writes a new plain file and two new volumes (in rotating order),
     * then throws them away but for the last, which become the targets of the other phases. A new
     * target each time keeps the row about writing into empty space, as its name says.
     */
    private List<Target> fill(Path dir, VolumeStore store) throws IOException {
        StrataBench.progress("I/O table: " + Phase.FILL.label);
        List<List<Result>> results = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        Target[] kept = new Target[3];
        for (int rep = 0; rep < options.repetitions(); rep++) {
            boolean last = rep == options.repetitions() - 1;
            for (int i = 0; i < kept.length; i++) {
                int column = (rep + i) % kept.length;
                String name = List.of("plain", "flat", "layered").get(column) + "-" + rep;
                BlockDevice device = column == 0
                        ? PlainFileDevice.create(dir.resolve(name + ".img"), options.size())
                        : store.create(VolumeName.of(name), options.size());
                results.get(column).add(Workload.sequentialWrite(device, options.size(), seedOf(Phase.FILL, 0)));
                if (last) {
                    kept[column] = new Target(device, column == 2 ? (Volume) device : null);
                } else if (device instanceof PlainFileDevice file) {
                    file.close();
                    Files.delete(dir.resolve(name + ".img"));
                } else {
                    store.delete(VolumeName.of(name));
                }
            }
        }
        for (int column = 0; column < kept.length; column++) {
            results.get(column).forEach(kept[column].results.computeIfAbsent(Phase.FILL, p -> new ArrayList<>())::add);
        }
        return List.of(kept);
    }

    private Result runOnce(Phase phase, int rep, Target target) throws IOException {
        long seed = seedOf(phase, Math.max(rep, 0));
        int threads = phase.threaded() ? options.threads() : 1;
        if (phase.write) {
            target.beforeWrite();
        }
        return switch (phase) {
            case FILL, SEQ_WRITE -> Workload.sequentialWrite(target.device, options.size(), seed);
            case SEQ_READ -> Workload.sequentialRead(target.device, options.size());
            case RANDOM_READ, RANDOM_READ_THREADS -> Workload.randomRead(target.device,
                    Workload.randomBlocks(blocks, options.randomOps(), threads, seed));
            case RANDOM_WRITE, RANDOM_WRITE_THREADS -> Workload.randomWrite(target.device,
                    Workload.randomBlocks(blocks, options.randomOps(), threads, seed), seed);
        };
    }

    /**
     * Spreads the data over the layered volume's chain: {@code layers - 1} rounds of snapshot, then
     * overwrite a random 10% of the blocks, in units of {@code --overwrite-unit}. The other targets get the same writes (without the
     * snapshots), so all three hold the same bytes. Returns the layer each block is read from.
     */
    private byte[] layer(List<Target> targets, Volume layeredVolume) throws IOException {
        byte[] layerOf = new byte[(int) blocks];
        for (int round = 1; round < options.layers(); round++) {
            layeredVolume.createSnapshot(SnapshotName.of("layer-" + round), Map.of(), true);
            SplittableRandom random = new SplittableRandom(options.seed() * 31 + round);
            long[] chosen = new long[(int) blocks];
            int count = 0;
            int unit = options.overwriteBlocks();
            for (int first = 0; first < blocks; first += unit) {
                if (random.nextDouble() < OVERWRITE_SHARE) {
                    for (int b = first; b < Math.min(blocks, first + unit); b++) {
                        chosen[count++] = b;
                        layerOf[b] = (byte) round;
                    }
                }
            }
            long[][] writes = {java.util.Arrays.copyOf(chosen, count)};
            for (Target target : targets) {
                Workload.randomWrite(target.device, writes, seedOf(Phase.FILL, round));
            }
        }
        return layerOf;
    }

    /** How many pieces (one positional read each) a 1 MiB read of the layered volume becomes, on average. */
    private static double runsPerSequentialRead(byte[] layerOf) {
        int perRead = Workload.SEQUENTIAL_IO / BLOCK;
        long runs = 0;
        for (int b = 0; b < layerOf.length; b++) {
            if (b % perRead == 0 || layerOf[b] != layerOf[b - 1]) {
                runs++;
            }
        }
        return runs / (double) ((layerOf.length + perRead - 1) / perRead);
    }

    private void verify(List<Target> targets, String when) throws IOException {
        for (int i = 1; i < targets.size(); i++) {
            Workload.verifySame(targets.get(0).device, targets.get(i).device, options.size(),
                    Report.columns(options.layers()).get(i) + " " + when);
        }
    }

    private List<Row> rows(List<Target> targets) {
        List<Row> rows = new ArrayList<>();
        for (Phase phase : Phase.values()) {
            if (!targets.get(0).results.containsKey(phase)) {
                continue;
            }
            String label = phase.label.formatted(options.threads());
            List<List<Result>> samples = targets.stream().map(t -> t.results.get(phase)).toList();
            if (phase.random) {
                rows.add(Row.of(label, "IOPS", samples, Result::opsPerSecond));
            }
            rows.add(Row.of(phase.random ? "" : label, "MiB/s", samples, Result::mibPerSecond));
        }
        return rows;
    }

    private long seedOf(Phase phase, int rep) {
        return options.seed() * 1_000_003L + phase.ordinal() * 1_009L + rep;
    }
}
