package io.strata.control;

import io.strata.backupstore.BackupSource;
import io.strata.domain.SnapshotName;
import io.strata.engine.Extent;
import io.strata.engine.SnapshotReader;
import io.strata.engine.Volume;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An engine snapshot as the source of a backup. Changed ranges come from the engine's allocation
 * metadata (no data is read to find them); the reader keeps the snapshot's layers in place until
 * {@link #close()}.
 */
public final class SnapshotBackupSource implements BackupSource, AutoCloseable {
    private final Volume volume;
    private final SnapshotReader reader;

    public SnapshotBackupSource(Volume volume, SnapshotName snapshot) throws IOException {
        this.volume = volume;
        this.reader = volume.openSnapshot(snapshot);
    }

    @Override
    public String snapshotName() {
        return reader.info().name().value();
    }

    @Override
    public Optional<Instant> snapshotCreated() {
        return Optional.of(reader.info().created());
    }

    @Override
    public long size() {
        return reader.size();
    }

    @Override
    public boolean hasSnapshot(String name) {
        return volume.snapshots().stream().anyMatch(s -> s.name().value().equals(name));
    }

    @Override
    public List<long[]> changedRanges(Optional<String> since) throws IOException {
        List<Extent> extents = since.isPresent() && hasSnapshot(since.get())
                ? volume.changedExtents(Optional.of(SnapshotName.of(since.get())), reader.info().name())
                : reader.allocatedExtents();
        List<long[]> out = new ArrayList<>(extents.size());
        for (Extent e : extents) {
            out.add(new long[] {e.offset(), e.length()});
        }
        return out;
    }

    @Override
    public void read(ByteBuffer dst, long offset) throws IOException {
        reader.readAt(dst, offset);
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }
}
