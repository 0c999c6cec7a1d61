package io.strata.control.job;

import io.strata.backupstore.format.BackupUrl;
import io.strata.control.VolumeBackups;
import io.strata.control.job.Jobs.Status;
import io.strata.control.state.StateStore;
import io.strata.domain.SnapshotName;
import io.strata.domain.StrataException;
import io.strata.domain.VolumeName;
import io.strata.engine.Volume;
import io.strata.engine.VolumeStore;
import java.io.IOException;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;

/**
 * How {@link Jobs} starts its jobs: each start checks its request, makes what the job needs at once
 * (a backup's snapshot, a restore's or a clone's volume), records the job and submits it; what a
 * failure midway made is undone. Starts hold the monitor of their {@link Jobs} while they record
 * (as its forgets, cancels and resumes do), so that two starts of one name never both record a job.
 */
final class JobStarts {
    private final Jobs jobs;
    private final VolumeStore volumes;
    private final VolumeBackups volumeBackups;
    private final StateStore.Table<JobRecord> table;
    private final Clock clock;
    private final CloneJob clones;
    private final JobRunner runner;

    /** @param jobs whose monitor starts hold, and whose queries they ask */
    JobStarts(Jobs jobs, VolumeStore volumes, VolumeBackups volumeBackups, StateStore.Table<JobRecord> table, Clock clock,
              CloneJob clones, JobRunner runner) {
        this.jobs = jobs;
        this.volumes = volumes;
        this.volumeBackups = volumeBackups;
        this.table = table;
        this.clock = clock;
        this.clones = clones;
        this.runner = runner;
    }

    /** See {@link Jobs#startBackup(SnapshotName, VolumeName, String, boolean, long, Map)}. */
    Status backup(SnapshotName name, VolumeName volume, String targetUrl, boolean full, long blockSize, Map<String, String> labels)
            throws IOException {
        synchronized (jobs) {
            Optional<JobRecord> existing = table.get(Jobs.key(JobRecord.Kind.BACKUP, name.value()));
            if (existing.isPresent()) {
                JobRecord job = existing.get();
                if (!job.volume().equals(volume.value())) {
                    throw new StrataException.AlreadyExists("snapshot '" + name + "' already exists for volume '" + job.volume()
                            + "'; a snapshot name names one snapshot: pick another name");
                }
                return jobs.status(job);
            }
            Volume source = volumes.open(volume);
            String backup = VolumeBackups.newBackupName();
            BackupUrl.of(targetUrl, volume.value(), backup); // a name the backupstore takes, before anything is done
            if (source.snapshots().stream().noneMatch(s -> s.name().equals(name))) {
                // the snapshot carries the backup's labels: a job resumed after a restart finds them there
                Map<String, String> snapshotLabels = new java.util.HashMap<>(labels);
                snapshotLabels.put(VolumeBackups.BACKUP_LABEL, backup);
                source.createSnapshot(name, snapshotLabels, true);
            }
            JobRecord job = new JobRecord(name.value(), JobRecord.Kind.BACKUP, JobRecord.State.RUNNING, volume.value(), name.value(),
                    targetUrl, backup, full ? "full" : "incremental", clock.instant(), null, null, 0, 0, null, null, 0, 0, 0, blockSize);
            table.put(Jobs.key(job), job);
            runner.submit(job, 0);
            return jobs.status(job);
        }
    }

    /** See {@link Jobs#startBackup(BackupOrder)}. */
    Status backup(BackupOrder order) throws IOException {
        synchronized (jobs) {
            String backup = order.backup().orElseGet(VolumeBackups::newBackupName);
            SnapshotName cut = SnapshotName.of(backup); // the backup's name also names its job and, without a snapshot, its snapshot
            BackupUrl.of(order.targetUrl(), order.volume().value(), backup);
            if (table.get(Jobs.key(JobRecord.Kind.BACKUP, backup)).isPresent()) {
                throw new StrataException.AlreadyExists("a backup named '" + backup + "' exists already: pick another name");
            }
            Volume source = volumes.open(order.volume());
            jobs.requireRestored(order.volume(), "backed up");
            SnapshotName snapshot;
            if (order.snapshot().isPresent()) {
                snapshot = order.snapshot().get();
                source.snapshot(snapshot); // NotFound before anything is recorded
            } else {
                snapshot = cut;
                if (source.snapshots().stream().anyMatch(s -> s.name().equals(cut))) {
                    throw new StrataException.AlreadyExists("volume '" + order.volume() + "' has a snapshot named '" + backup
                            + "' already: pick another backup name");
                }
                source.createSnapshot(cut, Map.of(VolumeBackups.BACKUP_LABEL, backup), true);
            }
            JobRecord job = new JobRecord(backup, JobRecord.Kind.BACKUP, JobRecord.State.RUNNING, order.volume().value(), snapshot.value(),
                    order.targetUrl(), backup, order.full() ? "full" : "incremental", clock.instant(), null, null, 0, 0,
                    order.compression().method(), Map.copyOf(order.labels()), 0, 0, 0, order.blockSize());
            try {
                table.put(Jobs.key(job), job);
            } catch (IOException | RuntimeException e) {
                if (order.snapshot().isEmpty()) {
                    deleteQuietly(source, cut, e);
                }
                throw e;
            }
            runner.submit(job, 0);
            return jobs.status(job);
        }
    }

    private static void deleteQuietly(Volume volume, SnapshotName snapshot, Exception failure) {
        try {
            volume.deleteSnapshot(snapshot);
        } catch (IOException | RuntimeException cleanup) {
            failure.addSuppressed(cleanup);
        }
    }

    /** See {@link Jobs#startRestore}. */
    Status restore(VolumeName newVolume, BackupUrl url, Optional<Long> size) throws IOException {
        Optional<Status> existing;
        synchronized (jobs) {
            existing = existingRestore(newVolume, url);
        }
        if (existing.isPresent()) {
            return existing.get();
        }
        long volumeSize = volumeBackups.sizeFor(url, size); // reads the target: not while holding every other job up
        synchronized (jobs) {
            return createRestore(newVolume, url, volumeSize);
        }
    }

    /**
     * The restore job filling {@code newVolume} when it restores {@code url}; AlreadyExists when it restores
     * something else. A record without its volume is what a crash between the two left: this request
     * replaces it, once a resumed run of it (which fails for want of the volume) has ended. Called holding
     * the monitor.
     */
    private Optional<Status> existingRestore(VolumeName newVolume, BackupUrl url) throws IOException {
        Optional<JobRecord> existing = table.get(Jobs.key(JobRecord.Kind.RESTORE, newVolume.value()));
        if (existing.isPresent() && !volumes.exists(newVolume)) {
            if (runner.progress(existing.get()).isPresent()) {
                throw new StrataException.Unavailable("an earlier restore into volume '" + newVolume + "' is ending: retry");
            }
            return Optional.empty();
        }
        if (existing.isPresent()) {
            JobRecord job = existing.get();
            if (!job.backup().equals(url.backup().orElseThrow()) || !job.snapshot().equals(url.volume())) {
                throw new StrataException.AlreadyExists("volume '" + newVolume + "' already exists with other content");
            }
            return Optional.of(jobs.status(job));
        }
        return Optional.empty();
    }

    /** Called holding the monitor, so that no other start records a job for this volume meanwhile. */
    private Status createRestore(VolumeName newVolume, BackupUrl url, long volumeSize) throws IOException {
        Optional<Status> raced = existingRestore(newVolume, url);
        if (raced.isPresent()) {
            return raced.get();
        }
        // for a restore, 'snapshot' holds the backup volume's name: the job must find the backup again after a restart
        JobRecord job = new JobRecord(newVolume.value(), JobRecord.Kind.RESTORE, JobRecord.State.RUNNING, newVolume.value(),
                url.volume(), url.target(), url.backup().orElseThrow(), null, clock.instant(), null, null, 0, volumeSize);
        // The record goes first: whoever sees the volume (an NBD client asking for its export) must also see
        // that it is being filled, or it would read zeroes where the backup has data.
        table.put(Jobs.key(job), job);
        try {
            volumes.create(newVolume, volumeSize);
        } catch (IOException | RuntimeException e) {
            forget(job, e);
            throw e;
        }
        runner.submit(job, 0);
        return jobs.status(job);
    }

    /** See {@link Jobs#restoreSize}. */
    long restoreSize(BackupUrl url) throws IOException {
        return volumeBackups.sizeFor(url, Optional.empty());
    }

    /** See {@link Jobs#startClone}. */
    Status clone(VolumeName newVolume, VolumeName source, Optional<SnapshotName> snapshot, long size) throws IOException {
        synchronized (jobs) {
            Optional<JobRecord> existing = table.get(Jobs.key(JobRecord.Kind.CLONE, newVolume.value()));
            if (existing.isPresent() && volumes.exists(newVolume)) {
                if (!CloneJob.copiesFrom(existing.get(), source.value(), snapshot.map(SnapshotName::value))) {
                    throw new StrataException.AlreadyExists("volume '" + newVolume + "' already exists with other content");
                }
                return jobs.status(existing.get());
            }
            // a record without its volume is what a crash between the two left: this request replaces it,
            // once a resumed run of it (which fails for want of the volume) has ended
            if (existing.isPresent() && runner.progress(existing.get()).isPresent()) {
                throw new StrataException.Unavailable("an earlier clone into volume '" + newVolume + "' is ending: retry");
            }
            JobRecord job = clones.prepare(newVolume, source, snapshot, clock.instant());
            try {
                table.put(Jobs.key(job), job);
                clones.createVolume(job, size);
            } catch (IOException | RuntimeException e) {
                clones.discard(job, e);
                forget(job, e);
                throw e;
            }
            runner.submit(job, 0);
            return jobs.status(job);
        }
    }

    /** Deletes the record of a job whose start failed after it was written; a failure to is added to {@code failure}. */
    private void forget(JobRecord job, Exception failure) {
        try {
            table.delete(Jobs.key(job));
        } catch (IOException | RuntimeException cleanup) {
            failure.addSuppressed(cleanup);
        }
    }
}
