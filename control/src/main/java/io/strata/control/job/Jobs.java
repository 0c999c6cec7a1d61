package io.strata.control.job;

import io.strata.backupstore.BackupProgress;
import io.strata.backupstore.format.BackupUrl;
import io.strata.control.BackupService;
import io.strata.control.VolumeBackups;
import io.strata.control.state.StateStore;
import io.strata.domain.SnapshotName;
import io.strata.domain.StrataException;
import io.strata.domain.VolumeName;
import io.strata.engine.Volume;
import io.strata.engine.VolumeStore;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Backups, restores and clones as background jobs. Starting one persists its record and returns at once;
 * the record moves to COMPLETE or ERROR when the job ends, and jobs still RUNNING when the process
 * stopped are resumed by {@link #resumeAll}. Failures worth retrying (a backup volume locked by
 * another process, a target that does not answer) are retried with backoff before the job fails.
 */
public final class Jobs {
    /** Waits before each retry; the 150 s of a dead process's lock fit in. */
    public static final List<Duration> RETRY_DELAYS = List.of(Duration.ofSeconds(5), Duration.ofSeconds(15), Duration.ofSeconds(30),
            Duration.ofSeconds(60), Duration.ofSeconds(120));

    /** A job's record and, while it runs in this process, its live progress. */
    public record Status(JobRecord record, Optional<BackupProgress> live) {
        /** 0 to 100. */
        public int percent() {
            return switch (record.state()) {
                case COMPLETE -> 100;
                case ERROR -> 0;
                case RUNNING -> live.map(BackupProgress::percent).orElse(0);
            };
        }
    }

    private final VolumeStore volumes;
    private final VolumeBackups volumeBackups;
    private final StateStore.Table<JobRecord> table;
    private final Clock clock;
    private final CloneJob clones;
    private final JobRunner runner;

    /**
     * @param executor runs the jobs; its size bounds how many run at once (each backup or restore
     *                 has its own block workers)
     */
    public Jobs(VolumeStore volumes, BackupService backups, StateStore.Table<JobRecord> table, ScheduledExecutorService executor,
                Clock clock, List<Duration> retryDelays) {
        this.volumes = volumes;
        this.volumeBackups = new VolumeBackups(volumes, backups);
        this.table = table;
        this.clock = clock;
        this.clones = new CloneJob(volumes);
        this.runner = new JobRunner(new TransferJob(volumes, volumeBackups), clones, table, executor, clock, retryDelays);
    }

    /**
     * Takes snapshot {@code name} of {@code volume} now and starts backing it up to {@code targetUrl}.
     * The same name for the same volume returns the job already there, whatever its state.
     *
     * @throws StrataException.AlreadyExists when a job of that name backs up another volume
     */
    public synchronized Status startBackup(SnapshotName name, VolumeName volume, String targetUrl, boolean full,
                                           Map<String, String> labels) throws IOException {
        return startBackup(name, volume, targetUrl, full, 0, labels);
    }

    /**
     * As {@link #startBackup(SnapshotName, VolumeName, String, boolean, Map)}, with a block size for a new
     * backup volume: 2 or 16 MiB, or 0 for the backup volume's own.
     */
    public synchronized Status startBackup(SnapshotName name, VolumeName volume, String targetUrl, boolean full, long blockSize,
                                           Map<String, String> labels) throws IOException {
        Optional<JobRecord> existing = table.get(key(JobRecord.Kind.BACKUP, name.value()));
        if (existing.isPresent()) {
            JobRecord job = existing.get();
            if (!job.volume().equals(volume.value())) {
                throw new StrataException.AlreadyExists("snapshot '" + name + "' already exists for volume '" + job.volume()
                        + "'; a snapshot name names one snapshot: pick another name");
            }
            return status(job);
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
        table.put(key(job), job);
        submit(job, 0);
        return status(job);
    }

    /**
     * Starts the backup an order describes; the job's id is the backup's name.
     *
     * @throws StrataException.AlreadyExists when a backup job of that name exists
     * @throws StrataException.NotFound      when the volume or the snapshot does not exist
     */
    public synchronized Status startBackup(BackupOrder order) throws IOException {
        String backup = order.backup().orElseGet(VolumeBackups::newBackupName);
        SnapshotName cut = SnapshotName.of(backup); // the backup's name also names its job and, without a snapshot, its snapshot
        BackupUrl.of(order.targetUrl(), order.volume().value(), backup);
        if (table.get(key(JobRecord.Kind.BACKUP, backup)).isPresent()) {
            throw new StrataException.AlreadyExists("a backup named '" + backup + "' exists already: pick another name");
        }
        Volume source = volumes.open(order.volume());
        requireRestored(order.volume(), "backed up");
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
            table.put(key(job), job);
        } catch (IOException | RuntimeException e) {
            if (order.snapshot().isEmpty()) {
                deleteQuietly(source, cut, e);
            }
            throw e;
        }
        submit(job, 0);
        return status(job);
    }

    private static void deleteQuietly(Volume volume, SnapshotName snapshot, Exception failure) {
        try {
            volume.deleteSnapshot(snapshot);
        } catch (IOException | RuntimeException cleanup) {
            failure.addSuppressed(cleanup);
        }
    }

    /**
     * Creates volume {@code newVolume} now (the backup's size, or {@code size} when larger) and starts
     * restoring backup {@code url} into it.
     */
    public Status startRestore(VolumeName newVolume, BackupUrl url, Optional<Long> size) throws IOException {
        Optional<Status> existing = existingRestore(newVolume, url);
        if (existing.isPresent()) {
            return existing.get();
        }
        long volumeSize = volumeBackups.sizeFor(url, size); // reads the target: not while holding every other job up
        return createRestore(newVolume, url, volumeSize);
    }

    /**
     * The restore job filling {@code newVolume} when it restores {@code url}; AlreadyExists when it restores
     * something else. A record without its volume is what a crash between the two left: this request
     * replaces it, once a resumed run of it (which fails for want of the volume) has ended.
     */
    private synchronized Optional<Status> existingRestore(VolumeName newVolume, BackupUrl url) throws IOException {
        Optional<JobRecord> existing = table.get(key(JobRecord.Kind.RESTORE, newVolume.value()));
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
            return Optional.of(status(job));
        }
        return Optional.empty();
    }

    private synchronized Status createRestore(VolumeName newVolume, BackupUrl url, long volumeSize) throws IOException {
        Optional<Status> raced = existingRestore(newVolume, url);
        if (raced.isPresent()) {
            return raced.get();
        }
        // for a restore, 'snapshot' holds the backup volume's name: the job must find the backup again after a restart
        JobRecord job = new JobRecord(newVolume.value(), JobRecord.Kind.RESTORE, JobRecord.State.RUNNING, newVolume.value(),
                url.volume(), url.target(), url.backup().orElseThrow(), null, clock.instant(), null, null, 0, volumeSize);
        // The record goes first: whoever sees the volume (an NBD client asking for its export) must also see
        // that it is being filled, or it would read zeroes where the backup has data.
        table.put(key(job), job);
        try {
            volumes.create(newVolume, volumeSize);
        } catch (IOException | RuntimeException e) {
            try {
                table.delete(key(job));
            } catch (IOException | RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        submit(job, 0);
        return status(job);
    }

    /** The least size of a volume restored from {@code url}: the backup's. */
    public long restoreSize(BackupUrl url) throws IOException {
        return volumeBackups.sizeFor(url, Optional.empty());
    }

    /**
     * Creates volume {@code newVolume} of {@code size} bytes now and starts copying into it snapshot
     * {@code snapshot} of {@code source}, or, when none is named, a snapshot of its head cut now.
     * The same volume from the same source answers the job already there.
     *
     * @throws StrataException.AlreadyExists when a clone into that volume copies something else
     */
    public synchronized Status startClone(VolumeName newVolume, VolumeName source, Optional<SnapshotName> snapshot, long size)
            throws IOException {
        Optional<JobRecord> existing = table.get(key(JobRecord.Kind.CLONE, newVolume.value()));
        if (existing.isPresent() && volumes.exists(newVolume)) {
            if (!CloneJob.copiesFrom(existing.get(), source.value(), snapshot.map(SnapshotName::value))) {
                throw new StrataException.AlreadyExists("volume '" + newVolume + "' already exists with other content");
            }
            return status(existing.get());
        }
        // a record without its volume is what a crash between the two left: this request replaces it,
        // once a resumed run of it (which fails for want of the volume) has ended
        if (existing.isPresent() && runner.progress(existing.get()).isPresent()) {
            throw new StrataException.Unavailable("an earlier clone into volume '" + newVolume + "' is ending: retry");
        }
        JobRecord job = clones.prepare(newVolume, source, snapshot, clock.instant());
        try {
            table.put(key(job), job);
            clones.createVolume(job, size);
        } catch (IOException | RuntimeException e) {
            clones.discard(job, e);
            try {
                table.delete(key(job));
            } catch (IOException | RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        submit(job, 0);
        return status(job);
    }

    /** The job filling {@code volume} with content, a restore or a clone, if there is one. */
    public Optional<Status> filling(String volume) throws IOException {
        Optional<JobRecord> restore = table.get(key(JobRecord.Kind.RESTORE, volume));
        return (restore.isPresent() ? restore : table.get(key(JobRecord.Kind.CLONE, volume))).map(this::status);
    }

    /** The clones still running from {@code volume}: all of them, or those copying {@code snapshot} when one is named. */
    public List<Status> clonesRunningFrom(String volume, Optional<String> snapshot) throws IOException {
        return table.all().stream()
                .filter(r -> r.state() == JobRecord.State.RUNNING && CloneJob.copiesFrom(r, volume, snapshot))
                .map(this::status).toList();
    }

    /** The job of that kind and id (a backup's by its name, a restore's or a clone's by its volume), if there is one. */
    public Optional<Status> get(JobRecord.Kind kind, String id) throws IOException {
        return table.get(key(kind, id)).map(this::status);
    }

    /** The backup job of CSI snapshot {@code name}, if there is one. */
    public Optional<Status> backup(String name) throws IOException {
        return get(JobRecord.Kind.BACKUP, name);
    }

    /** The restore job filling volume {@code volume}, if there is one. */
    public Optional<Status> restore(String volume) throws IOException {
        return get(JobRecord.Kind.RESTORE, volume);
    }

    /** The backup job that makes backup {@code backup} of {@code volume}, if it was made here. */
    public Optional<Status> backupOf(String volume, String backup) throws IOException {
        return table.all().stream()
                .filter(r -> r.kind() == JobRecord.Kind.BACKUP && r.volume().equals(volume) && r.backup().equals(backup))
                .findFirst().map(this::status);
    }

    /** The restore jobs still running from backup {@code backup} of backup volume {@code volume}. */
    public List<Status> restoresRunningFrom(String volume, String backup) throws IOException {
        return table.all().stream()
                .filter(r -> r.kind() == JobRecord.Kind.RESTORE && r.state() == JobRecord.State.RUNNING)
                .filter(r -> r.snapshot().equals(volume) && r.backup().equals(backup))
                .map(this::status).toList();
    }

    /**
     * Checks that a volume's content may be read as a whole, to snapshot or clone it: no restore or
     * clone into it is running or has failed.
     *
     * @param purpose what the content is wanted for, e.g. "snapshotted"
     * @throws StrataException.Unavailable        while a restore or clone fills it (retry)
     * @throws StrataException.FailedPrecondition when its restore or clone failed
     */
    public void requireRestored(VolumeName volume, String purpose) throws IOException {
        Optional<Status> filling = filling(volume.value());
        if (filling.isEmpty()) {
            return;
        }
        JobRecord r = filling.get().record();
        String from = r.kind() == JobRecord.Kind.CLONE ? "cloned from " + CloneJob.sourceOf(r) : "restored from backup " + r.backup();
        switch (r.state()) {
            case RUNNING -> throw new StrataException.Unavailable("volume '" + volume + "' is still being " + from + " ("
                    + filling.get().percent() + "%); it can be " + purpose + " once that is done");
            case ERROR -> throw new StrataException.FailedPrecondition("volume '" + volume + "' could not be " + from + " ("
                    + r.error() + "), so it cannot be " + purpose + "; delete it and create it again");
            case COMPLETE -> { }
        }
    }

    /** Every job, by kind then id. */
    public List<Status> all() throws IOException {
        return table.all().stream().map(this::status).toList();
    }

    /** Forgets a job that is not running (its backup or volume was deleted); an unknown one is fine. */
    public synchronized void forget(JobRecord.Kind kind, String id) throws IOException {
        Optional<JobRecord> job = table.get(key(kind, id));
        if (job.isPresent() && job.get().state() == JobRecord.State.RUNNING) {
            throw new StrataException.Unavailable(JobFailures.describe(job.get()) + " is still running (" + status(job.get()).percent()
                    + "%); retry once it has ended");
        }
        table.delete(key(kind, id));
    }

    /** How long a deletion waits for the job it cancels to stop at its next block. */
    public static final Duration CANCEL_WAIT = Duration.ofSeconds(10);

    /**
     * Stops a running job at its next block and records it ended in ERROR, cancelled for {@code why};
     * a job that is not running is left as it is. Blocks already on their way to the volume finish
     * first, so it is left whole; a call to the target that waits (a download, an upload) is
     * interrupted, which leaves no part of an object, so that a store that does not answer holds up
     * no cancel (a backup's in-progress cfg stays, for a deletion to remove). Waits up to
     * {@code wait} for the job to let go of them.
     *
     * @return whether a running job was cancelled
     * @throws StrataException.Unavailable when the job has not stopped within {@code wait}
     */
    public boolean cancel(JobRecord.Kind kind, String id, String why, Duration wait) throws IOException {
        JobRecord running;
        synchronized (this) {
            Optional<JobRecord> job = table.get(key(kind, id));
            if (job.isEmpty() || job.get().state() != JobRecord.State.RUNNING) {
                return false;
            }
            running = job.get();
            if (!runner.askToStop(running, why)) {
                return true; // not run by this process: it ended there and then
            }
        }
        runner.awaitStopped(running, wait);
        return true;
    }

    static String key(JobRecord job) {
        return key(job.kind(), job.id());
    }

    /** Backups are keyed by snapshot name, restores and clones by volume name: a prefix keeps them apart. */
    static String key(JobRecord.Kind kind, String id) {
        return kind.name().toLowerCase(java.util.Locale.ROOT) + "@" + id;
    }

    /**
     * Stops running jobs for a shutdown: waits up to {@code grace} for them to end, then interrupts
     * them. Jobs cut short stay RUNNING in their records, and {@link #resumeAll} starts them again.
     */
    public void stop(Duration grace) throws InterruptedException {
        runner.stop(grace);
    }

    /** Starts again every job that was running when the process stopped. */
    public synchronized int resumeAll() throws IOException {
        int resumed = 0;
        for (JobRecord job : table.all()) {
            if (job.state() == JobRecord.State.RUNNING && runner.progress(job).isEmpty()) {
                submit(job, 0);
                resumed++;
            }
        }
        return resumed;
    }

    private Status status(JobRecord job) {
        return new Status(job, runner.progress(job));
    }

    private void submit(JobRecord job, int attempt) {
        runner.submit(job, attempt);
    }

    /** Told of each job that ends, complete or failed, once its record says so; on the job's thread. */
    @FunctionalInterface
    public interface Listener {
        void finished(JobRecord record, BackupProgress progress);
    }

    /** Adds a listener for jobs that end from now on. */
    public void addListener(Listener listener) {
        runner.addListener(listener);
    }

}
