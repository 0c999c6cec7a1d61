package io.strata.control;

import io.strata.control.VolumeService.Attachment;
import io.strata.control.VolumeService.VolumeRecord;
import io.strata.control.job.JobRecord;
import io.strata.control.job.Jobs;
import io.strata.control.state.StateStore;
import io.strata.domain.SnapshotName;
import io.strata.domain.StrataException;
import io.strata.domain.VolumeName;
import io.strata.engine.Volume;
import io.strata.engine.VolumeStore;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * How {@link VolumeService} deletes a volume: every reason it cannot go yet (attached, backed up,
 * cloned from, holding in-cluster snapshots) is checked before anything goes, so that a refusal leaves
 * it exactly as it was; then the jobs filling it stop, and the volume and its record go.
 */
final class VolumeDeletion {
    private final VolumeStore volumes;
    private final Jobs jobs;
    private final KeyedLocks locks;
    private final StateStore.Table<VolumeRecord> records;
    private final StateStore.Table<Attachment> attachments;

    VolumeDeletion(VolumeStore volumes, Jobs jobs, KeyedLocks locks, StateStore.Table<VolumeRecord> records,
                   StateStore.Table<Attachment> attachments) {
        this.volumes = volumes;
        this.jobs = jobs;
        this.locks = locks;
        this.records = records;
        this.attachments = attachments;
    }

    /** See {@link VolumeService#delete(VolumeName, boolean)}. */
    void delete(VolumeName name, boolean withSnapshots) throws IOException {
        try (KeyedLocks.Held held = locks.lock(KeyedLocks.volume(name.value()))) {
            Optional<Attachment> attached = attachments.get(name.value());
            if (attached.isPresent()) {
                throw new StrataException.FailedPrecondition("volume '" + name + "' is attached to node '" + attached.get().node()
                        + "': detach it first");
            }
            if (volumes.exists(name)) {
                for (Jobs.Status job : jobs.all()) {
                    JobRecord r = job.record();
                    if (r.kind() == JobRecord.Kind.BACKUP && r.volume().equals(name.value()) && r.state() == JobRecord.State.RUNNING) {
                        throw new StrataException.Unavailable("backup " + r.backup() + " of volume '" + name + "' is still being made ("
                                + job.percent() + "%); the volume can be deleted once it is complete");
                    }
                }
                Optional<Jobs.Status> clone = jobs.clonesRunningFrom(name.value(), Optional.empty()).stream().findFirst();
                if (clone.isPresent()) {
                    throw new StrataException.Unavailable("a clone into volume '" + clone.get().record().volume() + "' is copying from"
                            + " volume '" + name + "' (" + clone.get().percent() + "%); the volume can be deleted once that is done");
                }
                List<String> snapshots = volumes.open(name).snapshots().stream()
                        .filter(SnapshotService::inCluster)
                        .map(s -> s.name().value()).toList();
                if (!snapshots.isEmpty() && withSnapshots) {
                    Volume volume = volumes.open(name);
                    for (String snapshot : snapshots) {
                        volume.deleteSnapshot(SnapshotName.of(snapshot));
                    }
                } else if (!snapshots.isEmpty()) {
                    throw new StrataException.FailedPrecondition("volume '" + name + "' has in-cluster snapshots " + snapshots
                            + ", which would be lost with it: delete them (their VolumeSnapshots) first; snapshots of type bak"
                            + " are backups and outlive their volume");
                }
            }
            // a restore or clone still filling the volume stops at its next block: its data is going anyway
            String why = "volume '" + name + "' is being deleted";
            jobs.cancel(JobRecord.Kind.RESTORE, name.value(), why, Jobs.CANCEL_WAIT);
            jobs.cancel(JobRecord.Kind.CLONE, name.value(), why, Jobs.CANCEL_WAIT);
            jobs.forget(JobRecord.Kind.RESTORE, name.value());
            jobs.forget(JobRecord.Kind.CLONE, name.value());
            if (volumes.exists(name)) {
                volumes.delete(name);
            }
            records.delete(name.value());
        }
    }
}
