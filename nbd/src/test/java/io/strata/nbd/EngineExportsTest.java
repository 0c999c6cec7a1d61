package io.strata.nbd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.domain.SnapshotName;
import io.strata.domain.StrataException;
import io.strata.domain.VolumeName;
import io.strata.engine.Extent;
import io.strata.engine.Volume;
import io.strata.engine.VolumeStore;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The contract over a real store, where {@code ro} is the volume {@code rw}'s snapshot; and what is special to it. */
class EngineExportsTest extends ExportsContract {
    @TempDir
    Path tmp;
    private VolumeStore store;

    @Override
    Exports exports() throws Exception {
        store = VolumeStore.open(tmp);
        Volume volume = store.create(VolumeName.of("rw"), SIZE);
        volume.createSnapshot(SnapshotName.of("s1"), Map.of(), true);
        return new NamedExports(new EngineExports(store));
    }

    @AfterEach
    void close() throws Exception {
        if (store != null) {
            store.close();
        }
    }

    /** The contract's {@code ro} is {@code rw@s1} here. */
    private record NamedExports(EngineExports engine) implements Exports {
        @Override
        public java.util.Optional<Export> open(String name) throws java.io.IOException {
            return engine.open(name.equals("ro") ? "rw@s1" : name);
        }

        @Override
        public java.util.List<String> names() throws java.io.IOException {
            return engine.names().stream().map(n -> n.equals("rw@s1") ? "ro" : n).toList();
        }
    }

    @Test
    void snapshotsAreServedReadOnlyWithTheirOwnContent() throws Exception {
        store = VolumeStore.open(tmp);
        Volume volume = store.create(VolumeName.of("v"), SIZE);
        volume.writeAt(ByteBuffer.wrap(new byte[] {7}), 0);
        volume.createSnapshot(SnapshotName.of("s"), Map.of(), true);
        volume.writeAt(ByteBuffer.wrap(new byte[] {8}), 0);
        EngineExports exports = new EngineExports(store);
        assertThat(exports.names()).containsExactly("v", "v@s");
        try (Export snapshot = exports.open("v@s").orElseThrow()) {
            ByteBuffer one = ByteBuffer.allocate(1);
            snapshot.device().readAt(one, 0);
            assertThat(one.get(0)).isEqualTo((byte) 7);
            assertThat(snapshot.readOnly()).isTrue();
            assertThat(snapshot.allocated(0, SIZE)).containsExactly(new Extent(0, 4096));
            assertThat(snapshot.description()).contains("snapshot s");
            assertThatThrownBy(() -> snapshot.device().writeAt(ByteBuffer.allocate(1), 0))
                    .isInstanceOf(StrataException.FailedPrecondition.class);
        }
        // the lease let go of the snapshot: it can be deleted now
        volume.deleteSnapshot(SnapshotName.of("s"));
        assertThat(exports.open("v@s")).isEmpty();
    }

    @Test
    void aGrowableExportIsAsLargeAsAVolumeMayBeAndEndsWhereTheVolumeDoes() throws Exception {
        store = VolumeStore.open(tmp);
        Volume volume = store.create(VolumeName.of("g"), SIZE);
        EngineExports exports = new EngineExports(store);
        assertThat(exports.names()).as("another view of a volume, not listed").containsExactly("g");
        assertThat(exports.open("growable:nope")).isEmpty();
        assertThat(exports.open("growable:")).isEmpty();
        try (Export growable = exports.open("growable:g").orElseThrow()) {
            assertThat(growable.name()).isEqualTo("growable:g");
            assertThat(growable.readOnly()).isFalse();
            assertThat(growable.device().size()).isEqualTo(VolumeStore.MAX_SIZE);
            ByteBuffer past = ByteBuffer.allocate(4096);
            assertThatThrownBy(() -> growable.device().writeAt(ByteBuffer.wrap(new byte[] {1, 2}), SIZE - 1))
                    .isInstanceOf(StrataException.ResourceExhausted.class).hasMessageContaining("expand the volume");
            assertThat(volume.size()).isEqualTo(SIZE);

            volume.expand(2 * SIZE);
            growable.device().writeAt(ByteBuffer.wrap(new byte[] {1, 2}), SIZE - 1);
            growable.device().readAt(past, SIZE - 2048);
            assertThat(past.array()[2047]).isEqualTo((byte) 1);
            assertThat(past.array()[2048]).as("the new room is there without reconnecting").isEqualTo((byte) 2);
            ByteBuffer straddle = ByteBuffer.allocate(4096);
            straddle.put(0, (byte) 9);
            growable.device().readAt(straddle, 2 * SIZE - 1);
            assertThat(straddle.array()).as("zeroes past the end").containsOnly((byte) 0);
            growable.device().unmap(2 * SIZE - 4096, 1 << 20);
            growable.device().writeZeroes(3 * SIZE, 4096);
            growable.device().flush();
            assertThat(growable.allocated(0, VolumeStore.MAX_SIZE)).isEqualTo(volume.allocatedExtents());
            assertThat(growable.allocated(2 * SIZE, 1 << 20)).as("past the volume").isEmpty();
            assertThat(growable.allocated(SIZE - 4096, 1 << 20)).as("a window: cut at its blocks")
                    .containsExactly(new Extent(SIZE - 4096, 8192));
        }
    }

    @Test
    void noExportOfAVolumeOpensUntilItIsReady() throws Exception {
        store = VolumeStore.open(tmp);
        store.create(VolumeName.of("filling"), SIZE).createSnapshot(SnapshotName.of("s"), Map.of(), true);
        store.create(VolumeName.of("ready"), SIZE);
        java.util.concurrent.atomic.AtomicBoolean filled = new java.util.concurrent.atomic.AtomicBoolean();
        EngineExports exports = new EngineExports(store, volume -> {
            if (volume.value().equals("filling") && !filled.get()) {
                throw new StrataException.Unavailable("volume 'filling' is still being restored (42%)");
            }
        });
        for (String name : new String[] {"filling", "filling@s", EngineExports.GROWABLE_PREFIX + "filling"}) {
            assertThatThrownBy(() -> exports.open(name)).as(name)
                    .isExactlyInstanceOf(StrataException.Unavailable.class).hasMessage("volume 'filling' is still being restored (42%)");
        }
        assertThat(exports.open("nope")).as("an unknown volume is still unknown, not unavailable").isEmpty();
        try (Export ready = exports.open("ready").orElseThrow()) {
            assertThat(ready.device().size()).isEqualTo(SIZE);
        }
        filled.set(true);
        try (Export done = exports.open("filling").orElseThrow()) {
            assertThat(done.device().size()).isEqualTo(SIZE);
        }
    }
}
