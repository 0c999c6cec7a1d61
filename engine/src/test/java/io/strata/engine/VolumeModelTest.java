package io.strata.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.domain.SnapshotName;
import io.strata.domain.VolumeName;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Random sequences of every volume operation against a plain in-memory model (a byte array per
 * snapshot and one for the head). After every step, the head and every snapshot must read exactly
 * as the model says. Seeded: a failure names its seed and the steps that led to it.
 */
class VolumeModelTest {
    private static final int BLOCK = 4096;
    private static final long CHUNK = 16L << 20;

    record Scenario(String name, long seed, long size, int steps, boolean nearChunkEdges, int verifyEvery) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> scenarios() {
        List<Arguments> out = new ArrayList<>();
        Random sizes = new Random(42);
        for (int i = 0; i < 120; i++) {
            long size = (1 + sizes.nextInt(256)) * (long) BLOCK;
            out.add(Arguments.of(new Scenario("small seed " + i + " (" + size / BLOCK + " blocks)", i, size, 70, false, 1)));
        }
        for (int i = 0; i < 5; i++) {
            long size = 2 * CHUNK + 64 * BLOCK;
            out.add(Arguments.of(new Scenario("chunk edges seed " + (1000 + i), 1000 + i, size, 60, true, 6)));
        }
        return out.stream();
    }

    @TempDir
    Path dataDir;

    private final List<String> trace = new ArrayList<>();
    private Random random;
    private Scenario scenario;

    private VolumeStore store;
    private Volume volume;
    private final VolumeName name = VolumeName.of("model");
    private byte[] head;
    private final Map<String, byte[]> snapshots = new LinkedHashMap<>();
    private final Map<SnapshotReader, byte[]> readers = new LinkedHashMap<>();
    private int counter;

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void everySnapshotAndTheHeadReadAsTheModelSays(Scenario s) throws IOException {
        scenario = s;
        random = new Random(s.seed());
        store = VolumeStore.open(dataDir);
        volume = store.create(name, s.size());
        head = new byte[(int) s.size()];
        try {
            for (int step = 0; step < s.steps(); step++) {
                step();
                if (step % s.verifyEvery() == 0 || step == s.steps() - 1) {
                    verify();
                }
            }
        } finally {
            for (SnapshotReader reader : readers.keySet()) {
                reader.close();
            }
            store.close();
        }
    }

    private void step() throws IOException {
        int dice = random.nextInt(100);
        if (dice < 35) {
            write();
        } else if (dice < 48) {
            zero();
        } else if (dice < 60) {
            snapshot();
        } else if (dice < 70) {
            deleteSnapshot();
        } else if (dice < 76) {
            revert();
        } else if (dice < 80) {
            expand();
        } else if (dice < 84) {
            cloneAndCompare();
        } else if (dice < 88) {
            log("flush");
            volume.flush();
        } else if (dice < 91) {
            reopen();
        } else if (dice < 94) {
            openReader();
        } else if (dice < 97) {
            closeReader();
        } else {
            checkChangedBlocks();
        }
    }

    private long offset(long length) {
        long max = head.length - length;
        if (scenario.nearChunkEdges() && random.nextBoolean()) {
            long edge = CHUNK * (1 + random.nextInt((int) (head.length / CHUNK)));
            long at = edge - random.nextInt(6 * BLOCK) + random.nextInt(3 * BLOCK);
            return Math.max(0, Math.min(max, at));
        }
        long at = (long) (random.nextDouble() * (max + 1));
        return random.nextBoolean() ? (at / BLOCK) * BLOCK : at;
    }

    private int length() {
        int kind = random.nextInt(10);
        int len;
        if (kind < 3) {
            len = 1 + random.nextInt(BLOCK);
        } else if (kind < 7) {
            len = BLOCK * (1 + random.nextInt(4));
        } else if (kind < 9) {
            len = 1 + random.nextInt(6 * BLOCK);
        } else {
            len = BLOCK * (1 + random.nextInt(64));
        }
        return Math.min(len, head.length);
    }

    private void write() throws IOException {
        int length = length();
        long offset = offset(length);
        byte[] data = new byte[length];
        random.nextBytes(data);
        log("write " + offset + "+" + length);
        ByteBuffer src = random.nextBoolean() ? ByteBuffer.wrap(data) : ByteBuffer.allocateDirect(length).put(data).flip();
        volume.writeAt(src, offset);
        System.arraycopy(data, 0, head, (int) offset, length);
    }

    private void zero() throws IOException {
        int length = length();
        long offset = offset(length);
        boolean unmap = random.nextBoolean();
        log((unmap ? "unmap " : "write-zeroes ") + offset + "+" + length);
        if (unmap) {
            volume.unmap(offset, length);
        } else {
            volume.writeZeroes(offset, length);
        }
        Arrays.fill(head, (int) offset, (int) offset + length, (byte) 0);
    }

    private void snapshot() throws IOException {
        if (snapshots.size() >= 12) {
            return;
        }
        String snap = "s" + counter++;
        log("snapshot " + snap);
        SnapshotInfo info = volume.createSnapshot(SnapshotName.of(snap), Map.of("n", snap), true);
        assertThat(info.size()).isEqualTo(head.length);
        assertThat(info.labels()).containsEntry("n", snap);
        snapshots.put(snap, head.clone());
    }

    private String pickSnapshot() {
        List<String> names = new ArrayList<>(snapshots.keySet());
        return names.get(random.nextInt(names.size()));
    }

    private void deleteSnapshot() throws IOException {
        if (snapshots.isEmpty()) {
            return;
        }
        String snap = pickSnapshot();
        log("delete snapshot " + snap);
        volume.deleteSnapshot(SnapshotName.of(snap));
        snapshots.remove(snap);
    }

    private void revert() throws IOException {
        if (snapshots.isEmpty()) {
            return;
        }
        String snap = pickSnapshot();
        log("revert to " + snap);
        volume.revert(SnapshotName.of(snap));
        byte[] content = snapshots.get(snap);
        head = new byte[head.length];
        System.arraycopy(content, 0, head, 0, content.length);
    }

    private void expand() throws IOException {
        long limit = scenario.size() * 2;
        if (head.length + BLOCK > limit) {
            return;
        }
        long newSize = head.length + BLOCK * (1 + random.nextInt((int) Math.min(64, (limit - head.length) / BLOCK)));
        log("expand to " + newSize);
        volume.expand(newSize);
        head = Arrays.copyOf(head, (int) newSize);
    }

    private void cloneAndCompare() throws IOException {
        boolean fromSnapshot = !snapshots.isEmpty() && random.nextBoolean();
        String snap = fromSnapshot ? pickSnapshot() : null;
        VolumeName target = VolumeName.of("clone" + counter++);
        log("clone " + (snap == null ? "head" : snap) + " to " + target);
        Volume copy = store.clone(name, Optional.ofNullable(snap).map(SnapshotName::of), target);
        byte[] expected = snap == null ? head : snapshots.get(snap);
        assertThat(copy.size()).isEqualTo(expected.length);
        assertContent("clone " + target, copy, expected);
        store.delete(target);
        assertThat(volume.snapshots()).extracting(i -> i.name().value()).containsExactlyInAnyOrderElementsOf(snapshots.keySet());
    }

    private void reopen() throws IOException {
        log("close and reopen");
        for (SnapshotReader reader : readers.keySet()) {
            reader.close();
        }
        readers.clear();
        store.close();
        store = VolumeStore.open(dataDir);
        volume = store.open(name);
    }

    private void openReader() throws IOException {
        if (snapshots.isEmpty() || readers.size() >= 3) {
            return;
        }
        String snap = pickSnapshot();
        log("open reader of " + snap);
        readers.put(volume.openSnapshot(SnapshotName.of(snap)), snapshots.get(snap));
    }

    private void closeReader() throws IOException {
        if (readers.isEmpty()) {
            return;
        }
        Map.Entry<SnapshotReader, byte[]> entry = readers.entrySet().iterator().next();
        log("check and close reader of " + entry.getKey().info().name());
        assertContent("reader of " + entry.getKey().info().name(), entry.getKey(), entry.getValue());
        readers.remove(entry.getKey());
        entry.getKey().close();
    }

    private void checkChangedBlocks() throws IOException {
        if (snapshots.isEmpty()) {
            return;
        }
        String to = pickSnapshot();
        String from = random.nextInt(4) == 0 ? null : pickSnapshot();
        log("changed blocks " + from + " -> " + to);
        List<Extent> changed = volume.changedExtents(Optional.ofNullable(from).map(SnapshotName::of), SnapshotName.of(to));
        byte[] b = snapshots.get(to);
        byte[] a = from == null ? new byte[0] : snapshots.get(from);
        boolean[] covered = new boolean[b.length / BLOCK];
        long last = -1;
        for (Extent e : changed) {
            assertThat(e.offset() % BLOCK).isZero();
            assertThat(e.length() % BLOCK).isZero();
            assertThat(e.offset()).as("sorted and merged").isGreaterThan(last);
            last = e.end();
            for (long blk = e.offset() / BLOCK; blk < e.end() / BLOCK; blk++) {
                covered[(int) blk] = true;
            }
        }
        for (int blk = 0; blk < covered.length; blk++) {
            if (!covered[blk]) {
                for (int i = blk * BLOCK; i < (blk + 1) * BLOCK; i++) {
                    byte old = i < a.length ? a[i] : 0;
                    if (old != b[i]) {
                        throw new AssertionError("block " + blk + " differs between " + from + " and " + to
                                + " but is not reported\n" + history());
                    }
                }
            }
        }
    }

    private void verify() throws IOException {
        assertThat(volume.size()).as(history()).isEqualTo(head.length);
        assertContent("head", volume, head);
        assertThat(volume.snapshots()).extracting(i -> i.name().value()).as(history())
                .containsExactlyInAnyOrderElementsOf(snapshots.keySet());
        for (Map.Entry<String, byte[]> snap : snapshots.entrySet()) {
            try (SnapshotReader reader = volume.openSnapshot(SnapshotName.of(snap.getKey()))) {
                assertContent("snapshot " + snap.getKey(), reader, snap.getValue());
            }
        }
    }

    private void assertContent(String what, BlockDevice device, byte[] expected) throws IOException {
        ByteBuffer actual = ByteBuffer.allocate(expected.length);
        if (random.nextBoolean()) {
            device.readAt(actual, 0);
        } else {
            // in uneven pieces, to cross block and run edges at odd places
            int pos = 0;
            while (pos < expected.length) {
                int n = Math.min(expected.length - pos, 1 + random.nextInt(3 * BLOCK));
                device.readAt(actual.slice(pos, n), pos);
                pos += n;
            }
        }
        int mismatch = Arrays.mismatch(actual.array(), expected);
        if (mismatch >= 0) {
            throw new AssertionError(what + " differs from the model at byte " + mismatch + " (block " + mismatch / BLOCK
                    + "): read " + actual.get(mismatch) + ", expected " + expected[mismatch] + "\n" + history());
        }
    }

    private void log(String step) {
        trace.add(step);
    }

    private String history() {
        int from = Math.max(0, trace.size() - 40);
        return "seed " + scenario.seed() + ", size " + scenario.size() + ", last steps:\n  "
                + String.join("\n  ", trace.subList(from, trace.size()));
    }
}
