package io.strata.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.domain.SnapshotName;
import io.strata.domain.VolumeName;
import io.strata.engine.storage.MemoryStorage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Crashes every metadata operation at each of its steps (each write, fsync, rename, delete) and
 * reopens: the data directory must hold the state from before the operation or from after it,
 * never a mix, with every flushed byte intact and no file of the crashed attempt left behind. Two
 * kinds of crash: unsynced writes dropped, and everything written kept.
 */
class CrashTest {
    private static final Path DATA = Path.of("/data");
    private static final VolumeName V = VolumeName.of("v");
    private static final long SIZE = 96 * 4096;

    /** A durable data directory: volume v with snapshots s1 <- s2 <- s3 and data in every layer. */
    private static MemoryStorage base;

    interface Operation {
        void run(VolumeStore store) throws IOException;
    }

    static Stream<Arguments> operations() {
        return Stream.of(
                op("create a snapshot", s -> s.open(V).createSnapshot(SnapshotName.of("new"), Map.of("k", "v"), true)),
                op("delete a middle snapshot (merge into a snapshot)", s -> s.open(V).deleteSnapshot(SnapshotName.of("s2"))),
                op("delete the newest snapshot (merge into the head)", s -> s.open(V).deleteSnapshot(SnapshotName.of("s3"))),
                op("delete the oldest snapshot (root merge)", s -> s.open(V).deleteSnapshot(SnapshotName.of("s1"))),
                op("revert to a snapshot", s -> s.open(V).revert(SnapshotName.of("s1"))),
                op("expand", s -> s.open(V).expand(SIZE * 2)),
                op("clone a snapshot", s -> s.clone(V, Optional.of(SnapshotName.of("s2")), VolumeName.of("c"))),
                op("clone the head", s -> s.clone(V, Optional.empty(), VolumeName.of("c"))),
                op("create a volume", s -> s.create(VolumeName.of("w"), SIZE)),
                op("delete a volume", s -> s.delete(V)));
    }

    private static Arguments op(String name, Operation operation) {
        return Arguments.of(name, operation);
    }

    @BeforeAll
    static void setUp() throws IOException {
        base = new MemoryStorage();
        Random random = new Random(7);
        try (VolumeStore store = VolumeStore.open(DATA, base)) {
            Volume v = store.create(V, SIZE);
            for (int round = 1; round <= 3; round++) {
                for (int i = 0; i < 12; i++) {
                    byte[] data = new byte[1 + random.nextInt(3 * 4096)];
                    random.nextBytes(data);
                    v.writeAt(ByteBuffer.wrap(data), random.nextLong(SIZE - data.length));
                }
                v.unmap(random.nextLong(SIZE / 4096 - 4) * 4096, 3 * 4096);
                v.createSnapshot(SnapshotName.of("s" + round), Map.of("round", "" + round), true);
            }
            byte[] data = new byte[20 * 4096];
            random.nextBytes(data);
            v.writeAt(ByteBuffer.wrap(data), 4096 * 50);
            v.flush();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("operations")
    void aCrashAtAnyStepLeavesTheStateFromBeforeOrAfter(String name, Operation operation) throws IOException {
        String before = capture(base.copy());
        MemoryStorage probe = base.copy();
        int steps;
        String after;
        try (VolumeStore store = VolumeStore.open(DATA, probe)) {
            int start = probe.mutatingOps();
            operation.run(store);
            steps = probe.mutatingOps() - start;
        }
        after = capture(probe);
        assertThat(after).as("the operation changes something").isNotEqualTo(before);
        assertThat(steps).isPositive();

        for (int step = 0; step < steps; step++) {
            for (boolean keepUnsynced : new boolean[] {false, true}) {
                MemoryStorage storage = base.copy();
                VolumeStore store = VolumeStore.open(DATA, storage);
                storage.crashAfter(step);
                try {
                    operation.run(store);
                    throw new AssertionError("no crash at step " + step + " of " + steps);
                } catch (IOException | RuntimeException expected) {
                    // the simulated crash, or an error wrapping it
                }
                if (keepUnsynced) {
                    storage.stopKeepingEverything();
                } else {
                    storage.crash();
                }
                String state = capture(storage);
                assertThat(state).as("%s: crash at step %d of %d (%s)", name, step, steps,
                        keepUnsynced ? "unsynced writes kept" : "unsynced writes dropped").isIn(before, after);
            }
        }
    }

    /**
     * Opens the data directory as a restarted process would, and describes every volume: size,
     * snapshots with their labels and content digests, head digest, and the files it holds.
     */
    static String capture(MemoryStorage storage) throws IOException {
        StringBuilder out = new StringBuilder();
        try (VolumeStore store = VolumeStore.open(DATA, storage)) {
            Path volumes = DATA.resolve("volumes");
            assertThat(storage.list(volumes)).as("no leftovers of a crashed create or delete").noneMatch(n -> n.startsWith("."));
            for (VolumeInfo info : store.list()) {
                Volume volume = store.open(info.name());
                out.append("volume ").append(info.name()).append(" size ").append(info.size())
                        .append(" head ").append(digest(volume)).append('\n');
                for (SnapshotInfo snapshot : volume.snapshots()) {
                    try (SnapshotReader reader = volume.openSnapshot(snapshot.name())) {
                        out.append("  snapshot ").append(snapshot.name()).append(" labels ").append(new TreeMap<>(snapshot.labels()))
                                .append(" parent ").append(snapshot.parent().map(SnapshotName::value).orElse("-"))
                                .append(" size ").append(snapshot.size()).append(' ').append(digest(reader)).append('\n');
                    }
                }
                List<String> files = storage.list(volumes.resolve(info.name().value()));
                long layerFiles = files.stream().filter(f -> f.startsWith("layer-")).count();
                assertThat(layerFiles).as("no layer file outside the metadata in " + files).isEqualTo(2L * info.layers());
                assertThat(files).as("no temporary metadata").doesNotContain("volume.meta.tmp");
            }
        }
        return out.toString();
    }

    private static String digest(BlockDevice device) throws IOException {
        ByteBuffer all = ByteBuffer.allocate((int) device.size());
        device.readAt(all, 0);
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(all.array()), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
