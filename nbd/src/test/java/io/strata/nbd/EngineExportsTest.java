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
            assertThat(snapshot.allocated()).containsExactly(new Extent(0, 4096));
            assertThat(snapshot.description()).contains("snapshot s");
            assertThatThrownBy(() -> snapshot.device().writeAt(ByteBuffer.allocate(1), 0))
                    .isInstanceOf(StrataException.FailedPrecondition.class);
        }
        // the lease let go of the snapshot: it can be deleted now
        volume.deleteSnapshot(SnapshotName.of("s"));
        assertThat(exports.open("v@s")).isEmpty();
    }
}
