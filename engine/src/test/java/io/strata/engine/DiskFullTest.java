package io.strata.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.domain.SnapshotName;
import io.strata.domain.VolumeName;
import io.strata.engine.storage.MemoryStorage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A full disk fails the operation that needed the space, with the file system's message, and
 * nothing else: every volume and snapshot reads as before, nothing half-built is left behind, and
 * once space is free again the same operations succeed.
 */
class DiskFullTest {
    private static final Path DATA = Path.of("/data");
    private static final int SIZE = 4 << 20;

    @Test
    void operationsThatNeedSpaceFailCleanlyAndWorkOnceThereIsSpace() throws IOException {
        MemoryStorage storage = new MemoryStorage();
        Random random = new Random(3);
        byte[] model = new byte[SIZE];
        random.nextBytes(model);
        byte[] snapshot = model.clone();
        java.util.Arrays.fill(snapshot, 2 << 20, SIZE, (byte) 0);
        try (VolumeStore store = VolumeStore.open(DATA, storage)) {
            Volume v = store.create(VolumeName.of("v"), SIZE);
            v.writeAt(ByteBuffer.wrap(model, 0, 2 << 20), 0);
            v.createSnapshot(SnapshotName.of("s1"), Map.of(), true);
            System.arraycopy(snapshot, 0, model, 0, SIZE);

            storage.setCapacity(storage.allocatedBytes() + (256 << 10));

            assertThatThrownBy(() -> store.clone(VolumeName.of("v"), Optional.of(SnapshotName.of("s1")), VolumeName.of("c")))
                    .isInstanceOf(IOException.class).hasMessage("No space left on device");
            assertThat(store.list()).extracting(VolumeInfo::name).containsExactly(VolumeName.of("v"));
            assertThat(storage.list(DATA.resolve("volumes"))).containsExactly("v");

            byte[] big = new byte[1 << 20];
            random.nextBytes(big);
            assertThatThrownBy(() -> v.writeAt(ByteBuffer.wrap(big), 2 << 20)).isInstanceOf(IOException.class)
                    .hasMessage("No space left on device");
            // a failed write may have landed in part; the rest of the volume is untouched
            ByteBuffer head = ByteBuffer.allocate(SIZE);
            v.readAt(head, 0);
            assertThat(java.util.Arrays.copyOfRange(head.array(), 0, 2 << 20))
                    .isEqualTo(java.util.Arrays.copyOfRange(model, 0, 2 << 20));
            v.flush();

            storage.setCapacity(Long.MAX_VALUE);
            v.writeAt(ByteBuffer.wrap(big), 2 << 20);
            System.arraycopy(big, 0, model, 2 << 20, big.length);
            Volume c = store.clone(VolumeName.of("v"), Optional.of(SnapshotName.of("s1")), VolumeName.of("c"));
            assertContent(c, snapshot);
            assertContent(v, model);
            try (SnapshotReader reader = v.openSnapshot(SnapshotName.of("s1"))) {
                assertContent(reader, snapshot);
            }
        }
        try (VolumeStore reopened = VolumeStore.open(DATA, storage)) {
            assertContent(reopened.open(VolumeName.of("v")), model);
            assertContent(reopened.open(VolumeName.of("c")), snapshot);
        }
    }

    @Test
    void aFlushThatFindsNoSpaceIsDoneWholeByTheNextOneOnceThereIsSpace() throws IOException {
        MemoryStorage storage = new MemoryStorage();
        byte[] data = new byte[SIZE];
        new Random(12).nextBytes(data);
        try (VolumeStore store = VolumeStore.open(DATA, storage)) {
            Volume v = store.create(VolumeName.of("v"), SIZE);
            v.writeAt(ByteBuffer.wrap(data), 0);
            storage.setCapacity(storage.allocatedBytes()); // the data is in; its block map finds no room
            assertThatThrownBy(v::flush).isInstanceOf(IOException.class).hasMessage("No space left on device");
            storage.setCapacity(Long.MAX_VALUE);
            v.flush(); // must write what the failed flush could not
        }
        try (VolumeStore reopened = VolumeStore.open(DATA, storage)) {
            assertContent(reopened.open(VolumeName.of("v")), data);
        }
    }

    @Test
    void aVolumeWhoseWritesCannotBeFlushedOnAFullDiskCanStillBeDeleted() throws IOException {
        MemoryStorage storage = new MemoryStorage();
        try (VolumeStore store = VolumeStore.open(DATA, storage)) {
            Volume v = store.create(VolumeName.of("v"), SIZE);
            byte[] data = new byte[SIZE];
            new Random(8).nextBytes(data);
            v.writeAt(ByteBuffer.wrap(data), 0); // not flushed: its block map is still to be written
            storage.setCapacity(storage.allocatedBytes());
            assertThatThrownBy(v::flush).isInstanceOf(IOException.class).hasMessage("No space left on device");
            store.delete(VolumeName.of("v"));
            assertThat(store.exists(VolumeName.of("v"))).isFalse();
            assertThat(storage.list(DATA.resolve("volumes"))).isEmpty();
            storage.setCapacity(Long.MAX_VALUE);
            assertThat(store.create(VolumeName.of("v"), SIZE).size()).as("the name can be used again").isEqualTo(SIZE);
        }
    }

    @Test
    void aSnapshotThatFindsNoSpaceLeavesTheVolumeAsItWas() throws IOException {
        MemoryStorage storage = new MemoryStorage();
        try (VolumeStore store = VolumeStore.open(DATA, storage)) {
            Volume v = store.create(VolumeName.of("v"), SIZE);
            byte[] data = new byte[64 << 10];
            new Random(5).nextBytes(data);
            v.writeAt(ByteBuffer.wrap(data), 0);
            v.flush();
            storage.setCapacity(storage.allocatedBytes());
            assertThatThrownBy(() -> v.createSnapshot(SnapshotName.of("s"), Map.of(), true)).isInstanceOf(IOException.class);
            assertThat(v.snapshots()).isEmpty();
            assertThat(v.info().layers()).isEqualTo(1);
            storage.setCapacity(Long.MAX_VALUE);
            v.createSnapshot(SnapshotName.of("s"), Map.of(), true);
            try (SnapshotReader reader = v.openSnapshot(SnapshotName.of("s"))) {
                ByteBuffer back = ByteBuffer.allocate(data.length);
                reader.readAt(back, 0);
                assertThat(back.array()).isEqualTo(data);
            }
        }
    }

    private static void assertContent(BlockDevice device, byte[] expected) throws IOException {
        ByteBuffer all = ByteBuffer.allocate(expected.length);
        device.readAt(all, 0);
        assertThat(all.array()).isEqualTo(expected);
    }
}
