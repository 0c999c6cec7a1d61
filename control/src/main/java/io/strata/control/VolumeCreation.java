package io.strata.control;

import io.strata.backupstore.format.BackupUrl;
import io.strata.control.VolumeService.Source;
import io.strata.control.VolumeService.VolumeRecord;
import io.strata.control.VolumeService.VolumeView;
import io.strata.control.job.JobRecord;
import io.strata.control.job.Jobs;
import io.strata.control.state.StateStore;
import io.strata.domain.ByteSize;
import io.strata.domain.Hint;
import io.strata.domain.SnapshotHandle;
import io.strata.domain.StrataException;
import io.strata.domain.VolumeName;
import io.strata.engine.Volume;
import io.strata.engine.VolumeInfo;
import io.strata.engine.VolumeStore;
import java.io.IOException;
import java.time.Clock;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * How {@link VolumeService} provisions a volume: the checks that make a create idempotent, its size
 * (at least its source's, 4 KiB aligned, within the limit), and where its content comes from: none,
 * or a clone or restore job started for it. The volume's record goes before the volume, so that a
 * crash between the two leaves an intent that a retry completes.
 */
final class VolumeCreation {
    private final VolumeService service;
    private final VolumeStore volumes;
    private final Jobs jobs;
    private final KeyedLocks locks;
    private final StateStore.Table<VolumeRecord> records;
    private final Supplier<String> backupTarget;
    private final Clock clock;

    /** @param service whose views a create answers */
    VolumeCreation(VolumeService service, VolumeStore volumes, Jobs jobs, KeyedLocks locks, StateStore.Table<VolumeRecord> records,
                   Supplier<String> backupTarget, Clock clock) {
        this.service = service;
        this.volumes = volumes;
        this.jobs = jobs;
        this.locks = locks;
        this.records = records;
        this.backupTarget = backupTarget;
        this.clock = clock;
    }

    /** See {@link VolumeService#create} and {@link VolumeService#createNew}: the latter with {@code mustBeNew}. */
    VolumeView create(VolumeName name, long required, long limit, Source source, boolean mustBeNew) throws IOException {
        try (KeyedLocks.Held held = locks.lock(KeyedLocks.volume(name.value()), sourceVolume(source).orElse(KeyedLocks.volume(name.value())))) {
            if (required < 0 || limit < 0 || (limit > 0 && required > limit)) {
                throw new StrataException.InvalidArgument("capacity range [" + required + ", " + limit + "] is not a range of sizes");
            }
            Optional<VolumeRecord> record = records.get(name.value());
            if (mustBeNew && volumes.exists(name)) {
                throw new StrataException.AlreadyExists("volume '" + name + "' already exists: pick another name, or delete it first");
            }
            if (!volumes.exists(name)) {
                VolumeName.ofNew(name.value()); // a new volume's name must be one its backups can be stored under
            }
            if (volumes.exists(name)) {
                String recorded = record.map(VolumeRecord::source).orElse("");
                VolumeInfo info = volumes.info(name);
                if (!recorded.equals(source.describe())) {
                    throw new StrataException.AlreadyExists("volume '" + name + "' already exists from "
                            + (recorded.isEmpty() ? "no source" : recorded) + ", not from "
                            + (source.describe().isEmpty() ? "no source" : source.describe()) + ": pick another name");
                }
                if (info.size() < required || (limit > 0 && info.size() > limit)) {
                    throw new StrataException.AlreadyExists("volume '" + name + "' already exists with size " + info.size()
                            + ", outside the requested range [" + required + ", " + (limit > 0 ? limit : "any") + "]");
                }
                return service.view(name).orElseThrow();
            }
            // the record goes first: a crash before the volume exists leaves an intent that a retry completes
            records.put(name.value(), record.orElse(new VolumeRecord(name.value(), source.describe(), clock.instant())));
            try {
                switch (source) {
                    case Source.Empty e -> volumes.create(name, size(name, required, limit, 0));
                    case Source.OfVolume v -> cloneOf(name, required, limit, v.volume(), Optional.empty());
                    case Source.OfSnapshot s -> {
                        switch (s.handle()) {
                            case SnapshotHandle.Snapshot snap -> cloneOf(name, required, limit, snap.volume(), Optional.of(snap));
                            case SnapshotHandle.Backup bak -> {
                                Optional<Jobs.Status> making = jobs.backupOf(bak.volume(), bak.backup());
                                if (making.isPresent() && making.get().record().state() == JobRecord.State.RUNNING) {
                                    throw new StrataException.Unavailable("backup " + bak.backup() + " of volume '" + bak.volume()
                                            + "' is still being made (" + making.get().percent() + "%); a volume can be restored from it"
                                            + " once it is complete");
                                }
                                if (making.isPresent() && making.get().record().state() == JobRecord.State.ERROR) {
                                    // what the listing says of it, not "does not exist": its cfg went when it failed
                                    throw new StrataException.FailedPrecondition("backup " + bak.backup() + " of volume '" + bak.volume()
                                            + "' is failed (" + making.get().record().error() + "): only a complete backup can be"
                                            + " restored; restore another backup, or make a new one");
                                }
                                BackupUrl url = BackupUrl.of(backupTarget.get(), bak.volume(), bak.backup());
                                long minimum = jobs.restoreSize(url);
                                jobs.startRestore(name, url, Optional.of(size(name, required, limit, minimum)));
                            }
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                if (!volumes.exists(name)) {
                    try {
                        records.delete(name.value());
                    } catch (IOException | RuntimeException cleanup) {
                        e.addSuppressed(cleanup);
                    }
                }
                throw e;
            }
            return service.view(name).orElseThrow();
        }
    }

    /** The lock of the volume a clone copies from, which must not change or go meanwhile. */
    private static Optional<String> sourceVolume(Source source) {
        return switch (source) {
            case Source.Empty e -> Optional.empty();
            case Source.OfVolume v -> Optional.of(KeyedLocks.volume(v.volume().value()));
            case Source.OfSnapshot s -> switch (s.handle()) {
                case SnapshotHandle.Snapshot snap -> Optional.of(KeyedLocks.volume(snap.volume().value()));
                case SnapshotHandle.Backup bak -> Optional.empty(); // a backup outlives its volume
            };
        };
    }

    /** Starts the clone's copy; the volume is there at once, at its final size, and ready once the copy is done. */
    private void cloneOf(VolumeName name, long required, long limit, VolumeName sourceVolume,
                         Optional<SnapshotHandle.Snapshot> snapshot) throws IOException {
        if (!volumes.exists(sourceVolume)) {
            throw new StrataException.NotFound("source volume '" + sourceVolume + "' does not exist").withHint(new Hint.ListVolumes());
        }
        jobs.requireRestored(sourceVolume, "cloned");
        Volume source = volumes.open(sourceVolume);
        long sourceSize = snapshot.isPresent() ? source.snapshot(snapshot.get().snapshot()).size() : source.size();
        jobs.startClone(name, sourceVolume, snapshot.map(SnapshotHandle.Snapshot::snapshot), size(name, required, limit, sourceSize));
    }

    /** The size for a request: at least the source's, exactly the source's when nothing is asked. */
    private static long size(VolumeName name, long required, long limit, long sourceSize) {
        if (required > 0 && required < sourceSize) {
            throw new StrataException.OutOfRange("volume '" + name + "' asks for " + required + " bytes, less than its source's "
                    + sourceSize + ": ask for at least " + ByteSize.human(sourceSize));
        }
        long size = required > 0 ? required : (sourceSize > 0 ? sourceSize : VolumeService.DEFAULT_SIZE);
        size = VolumeService.align(size);
        if (limit > 0 && size > limit) {
            throw new StrataException.OutOfRange("volume '" + name + "' needs " + size + " bytes (4 KiB aligned, at least its source's)"
                    + " but its limit is " + limit);
        }
        if (size > VolumeStore.MAX_SIZE) {
            throw new StrataException.OutOfRange("volume '" + name + "' of " + size + " bytes is larger than the largest Strata makes, "
                    + ByteSize.human(VolumeStore.MAX_SIZE));
        }
        return size;
    }
}
