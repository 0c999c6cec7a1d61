package io.strata.nbd;

import io.strata.domain.SnapshotName;
import io.strata.domain.StrataException;
import io.strata.domain.VolumeName;
import io.strata.engine.BlockDevice;
import io.strata.engine.Extent;
import io.strata.engine.SnapshotInfo;
import io.strata.engine.SnapshotReader;
import io.strata.engine.Volume;
import io.strata.engine.VolumeInfo;
import io.strata.engine.VolumeStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@link Exports} over a {@link VolumeStore}: the export {@code VOLUME} is the volume's head,
 * read-write; {@code VOLUME@SNAPSHOT} is a snapshot, read-only, through a {@link SnapshotReader}
 * that the lease closes; {@code growable:VOLUME} is the volume's head too, read-write, but advertised
 * as large as a volume may ever be ({@link GrowableDevice}): a client that learns the size only when
 * it connects (nbdfuse, the kernel) can then use the room an expansion adds without reconnecting.
 * None of them opens while the volume is being filled ({@link VolumeReadiness}).
 *
 * <p>Why several connections may share an export ({@link Export}'s contract): every lease on a
 * volume gets the one {@link Volume} object the store keeps open, so all connections write into
 * one head and read through one chain index. {@link Volume#flush()} runs under one lock per
 * volume and syncs the head's data file before writing the map records that every returned write
 * had marked dirty before returning; so a flush on one connection persists the writes that
 * returned on all of them, and a flush that finds nothing dirty still waits for a flush in
 * progress to finish. A snapshot never changes, so its readers need no more.
 */
public final class EngineExports implements Exports {
    /** Separates volume and snapshot in an export name. */
    public static final char SNAPSHOT_SEPARATOR = '@';
    /** Starts the name of a volume's growable export: {@code growable:VOLUME}. */
    public static final String GROWABLE_PREFIX = "growable:";

    private final VolumeStore store;
    private final VolumeReadiness readiness;

    /** Exports every volume of a store that nothing fills in the background (tools, tests): see {@link VolumeReadiness#ALWAYS}. */
    public EngineExports(VolumeStore store) {
        this(store, VolumeReadiness.ALWAYS);
    }

    /**
     * Exports the volumes of {@code store}, each once {@code readiness} says it is: an export of a
     * volume still being restored or cloned fails to open, with the reason, and never serves the
     * zeroes it holds where its content has not arrived yet.
     */
    public EngineExports(VolumeStore store, VolumeReadiness readiness) {
        this.store = store;
        this.readiness = readiness;
    }

    @Override
    public Optional<Export> open(String name) throws IOException {
        if (name.startsWith(GROWABLE_PREFIX)) {
            Optional<Volume> volume = volume(name.substring(GROWABLE_PREFIX.length()));
            return volume.map(v -> new VolumeExport(name, v, new GrowableDevice(v)));
        }
        int at = name.indexOf(SNAPSHOT_SEPARATOR);
        Optional<Volume> found = volume(at < 0 ? name : name.substring(0, at));
        if (found.isEmpty()) {
            return Optional.empty();
        }
        Volume volume = found.get();
        if (at < 0) {
            return Optional.of(new VolumeExport(name, volume, volume));
        }
        SnapshotName snapshot;
        try {
            snapshot = SnapshotName.of(name.substring(at + 1));
        } catch (StrataException.InvalidArgument notAName) {
            return Optional.empty();
        }
        try {
            return Optional.of(new SnapshotExport(name, volume.openSnapshot(snapshot)));
        } catch (StrataException.NotFound noSuchSnapshot) {
            return Optional.empty();
        }
    }

    /**
     * The open volume named {@code text}, or empty when there is none (or the text is no name).
     *
     * @throws StrataException.Unavailable        while the volume is being filled (see {@link VolumeReadiness})
     * @throws StrataException.FailedPrecondition when filling it failed
     */
    private Optional<Volume> volume(String text) throws IOException {
        Optional<VolumeName> volumeName = volumeName(text);
        if (volumeName.isEmpty()) {
            return Optional.empty();
        }
        Volume volume;
        try {
            volume = store.open(volumeName.get()); // looks the volume up itself: no exists() first
        } catch (StrataException.NotFound none) {
            return Optional.empty();
        }
        readiness.requireReady(volumeName.get()); // for its snapshots and its growable view too
        return Optional.of(volume);
    }

    private static Optional<VolumeName> volumeName(String text) {
        try {
            return Optional.of(VolumeName.of(text));
        } catch (StrataException.InvalidArgument notAName) {
            return Optional.empty();
        }
    }

    /**
     * Every volume, then each of its snapshots as {@code VOLUME@SNAPSHOT}. Growable exports are another
     * view of a volume and are not listed.
     */
    @Override
    public List<String> names() throws IOException {
        List<String> names = new ArrayList<>();
        for (VolumeInfo info : store.list()) {
            names.add(info.name().value());
            try {
                for (SnapshotInfo snapshot : store.open(info.name()).snapshots()) {
                    names.add(info.name().value() + SNAPSHOT_SEPARATOR + snapshot.name().value());
                }
            } catch (StrataException.NotFound deletedMeanwhile) {
                names.removeLast();
            }
        }
        return names;
    }

    /** A volume's head, served as it is or through a {@link GrowableDevice}. */
    private record VolumeExport(String name, Volume volume, BlockDevice device) implements Export {

        @Override
        public boolean readOnly() {
            return false;
        }

        @Override
        public String description() {
            return "Strata volume " + volume.name() + (device == volume ? "" : " (growable)");
        }

        @Override
        public List<Extent> allocated(long offset, long length) {
            long size = volume.size(); // a growable export reaches past the volume: nothing is allocated there
            return offset >= size ? List.of() : volume.allocatedExtents(offset, Math.min(length, size - offset));
        }

        @Override
        public void close() {
            // the store owns the volume: it stays open for other connections
        }
    }

    /** A snapshot, read-only; its reader is the lease's and closes with it. */
    private record SnapshotExport(String name, SnapshotReader reader) implements Export {

        @Override
        public BlockDevice device() {
            return reader;
        }

        @Override
        public boolean readOnly() {
            return true;
        }

        @Override
        public String description() {
            return "Strata snapshot " + reader.info().name() + " (read-only)";
        }

        @Override
        public List<Extent> allocated(long offset, long length) {
            return reader.allocatedExtents(offset, length);
        }

        @Override
        public void close() throws IOException {
            reader.close();
        }
    }
}
