package io.strata.control;

import io.strata.backupstore.format.BackupConfig;
import io.strata.backupstore.format.BackupUrl;
import io.strata.control.BackupService.BackupEntry;
import io.strata.control.SnapshotService.SnapshotView;
import io.strata.control.job.JobRecord;
import io.strata.control.job.Jobs;
import io.strata.domain.SnapshotHandle;
import io.strata.domain.SnapshotName;
import io.strata.domain.StrataException;
import io.strata.domain.VolumeName;
import io.strata.engine.SnapshotInfo;
import io.strata.engine.VolumeStore;
import java.io.IOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The snapshots of {@link SnapshotService} that are backups ({@code bak://}, {@code bs://}): seen
 * through the job making one here while it runs or failed, and through the backup target once it is
 * there (also when it was made elsewhere, or its cfg is broken); and deleted with the snapshot cut for
 * them and the blocks no other backup needs.
 */
final class BackupSnapshots {
    private final VolumeStore volumes;
    private final BackupService backups;
    private final Jobs jobs;
    private final Supplier<String> backupTarget;

    BackupSnapshots(VolumeStore volumes, BackupService backups, Jobs jobs, Supplier<String> backupTarget) {
        this.volumes = volumes;
        this.backups = backups;
        this.jobs = jobs;
        this.backupTarget = backupTarget;
    }

    /** The backup a handle names: as its job knows it while it is made here and not complete, else as the target knows it. */
    Optional<SnapshotView> find(SnapshotHandle.Backup b) throws IOException {
        Optional<Jobs.Status> job = jobOf(b);
        if (job.isPresent() && job.get().record().state() != JobRecord.State.COMPLETE) {
            SnapshotView v = ofJob(job.get());
            return Optional.of(new SnapshotView(b, v.sourceVolume(), v.sizeBytes(), v.created(), v.ready(), v.error(),
                    v.percent())); // named as asked, bs:// or bak://
        }
        return inTarget(b);
    }

    /** The names of the backup volumes in the target, a damaged volume.cfg hiding none. */
    List<String> backupVolumes() throws IOException {
        return backups.backupVolumeEntries(backupTarget.get()).stream().map(BackupService.BackupVolumeEntry::name).toList();
    }

    /**
     * Deletes a backup (see {@link SnapshotService#delete}); the caller holds its volume's lock.
     *
     * @param handle as the caller named it, for the cancel's reason
     */
    long delete(SnapshotHandle.Backup b, SnapshotHandle handle) throws IOException {
        List<Jobs.Status> restores = jobs.restoresRunningFrom(b.volume(), b.backup());
        if (!restores.isEmpty()) {
            throw new StrataException.Unavailable("volume '" + restores.getFirst().record().volume() + "' is being restored"
                    + " from backup " + b.backup() + " (" + restores.getFirst().percent() + "%); the backup can be deleted"
                    + " once that is done");
        }
        Optional<Jobs.Status> job = jobOf(b);
        if (job.isPresent()) {
            // a backup still being made stops at its next block; its in-progress cfg goes below
            jobs.cancel(JobRecord.Kind.BACKUP, job.get().record().id(), "its snapshot " + handle.value() + " was deleted",
                    Jobs.CANCEL_WAIT);
            jobs.forget(JobRecord.Kind.BACKUP, job.get().record().id());
            VolumeName volume = VolumeName.of(b.volume());
            SnapshotName snapshot = SnapshotName.of(job.get().record().snapshot());
            // only a snapshot cut for this backup goes with it; one a user took and had backed up stays
            if (volumes.exists(volume) && volumes.open(volume).snapshots().stream().anyMatch(i -> i.name().equals(snapshot)
                    && b.backup().equals(i.labels().get(VolumeBackups.BACKUP_LABEL)))) {
                volumes.open(volume).deleteSnapshot(snapshot);
            }
        }
        // last, as it is the slow part and may fail on an unreachable target: a retry finds only this left
        return backups.delete(BackupUrl.of(backupTarget.get(), b.volume(), b.backup()).encode());
    }

    /** The job that made backup {@code b} here, if it was made here. */
    private Optional<Jobs.Status> jobOf(SnapshotHandle.Backup b) throws IOException {
        return jobs.backupOf(b.volume(), b.backup());
    }

    /**
     * The backups of {@code volume}, as the target and the jobs making them here know them.
     *
     * @param allJobs every job, as {@link Jobs#all} answers
     */
    List<SnapshotView> of(String volume, List<Jobs.Status> allJobs) throws IOException {
        if (!SnapshotHandle.BACKUP_NAME.matcher(volume).matches() || volume.length() < 2) {
            return List.of();
        }
        Map<String, Jobs.Status> unfinished = new LinkedHashMap<>();
        for (Jobs.Status job : allJobs) {
            JobRecord r = job.record();
            if (r.kind() == JobRecord.Kind.BACKUP && r.volume().equals(volume) && r.state() != JobRecord.State.COMPLETE) {
                unfinished.put(r.backup(), job);
            }
        }
        List<SnapshotView> out = new ArrayList<>();
        for (BackupEntry entry : backups.backups(backupTarget.get(), volume)) {
            Jobs.Status job = unfinished.remove(entry.config().name());
            if (entry.isBroken()) {
                out.add(new SnapshotView(SnapshotHandle.Backup.of(volume, entry.config().name()), volume, 0, Instant.EPOCH, false,
                        Optional.of("backup " + entry.config().name() + " is broken: " + entry.broken().get()), 0, true));
            } else if (job != null) {
                out.add(ofJob(job));
            } else if (!entry.config().inProgress() || !entry.abandoned()) {
                out.add(backupView(SnapshotHandle.Backup.of(volume, entry.config().name()), entry));
            }
        }
        for (Jobs.Status job : unfinished.values()) { // made here, not yet (or no longer) listed in the target
            out.add(ofJob(job));
        }
        return out;
    }

    /** The backup a handle names, as the target knows it, if it is there. */
    Optional<SnapshotView> inTarget(SnapshotHandle.Backup b) throws IOException {
        if (b.volume().length() < 2 || b.backup().length() < 2) {
            return Optional.empty(); // names the backupstore cannot hold
        }
        try {
            return Optional.of(backupView(b, backups.inspect(BackupUrl.of(backupTarget.get(), b.volume(), b.backup()).encode())));
        } catch (StrataException.NotFound e) {
            return Optional.empty();
        }
    }

    private static SnapshotView backupView(SnapshotHandle.Backup handle, BackupEntry entry) {
        BackupConfig cfg = entry.config();
        Instant created = parse(cfg.snapshotCreatedAt()).or(() -> parse(cfg.createdTime())).orElse(Instant.EPOCH);
        Optional<String> error = entry.abandoned() ? Optional.of("backup " + cfg.name() + " was abandoned in progress") : Optional.empty();
        return new SnapshotView(handle, cfg.volumeName(), entry.volumeSize(), created, !cfg.inProgress(), error,
                cfg.inProgress() ? 0 : 100);
    }

    /**
     * A backup as its job knows it. Size and time are those of the snapshot it reads, the time in
     * whole seconds as the backup's cfg will hold it, so the view does not change when the backup
     * completes.
     */
    SnapshotView ofJob(Jobs.Status status) throws IOException {
        JobRecord r = status.record();
        VolumeName volume = VolumeName.of(r.volume());
        Optional<SnapshotInfo> snapshot = volumes.exists(volume)
                ? volumes.open(volume).snapshots().stream().filter(i -> i.name().value().equals(r.snapshot())).findFirst()
                : Optional.empty();
        long size = snapshot.map(SnapshotInfo::size).orElse(volumes.exists(volume) ? volumes.info(volume).size() : 0);
        Instant created = snapshot.map(SnapshotInfo::created).orElse(r.created()).truncatedTo(ChronoUnit.SECONDS);
        return new SnapshotView(SnapshotHandle.Backup.of(r.volume(), r.backup()), r.volume(), size, created,
                r.state() == JobRecord.State.COMPLETE, Optional.ofNullable(r.error()), status.percent());
    }

    private static Optional<Instant> parse(String time) {
        try {
            return time == null || time.isEmpty() ? Optional.empty() : Optional.of(Instant.parse(time));
        } catch (java.time.format.DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
