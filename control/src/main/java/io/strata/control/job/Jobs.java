package io.strata.control.job;

import io.strata.backupstore.BackupProgress;
import io.strata.backupstore.format.BackupUrl;
import io.strata.control.BackupService;
import io.strata.control.VolumeBackups;
import io.strata.control.state.StateStore;
import io.strata.domain.SnapshotName;
import io.strata.domain.StrataException;
import io.strata.domain.VolumeName;
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
 *
 * <p>Starting a job is {@link JobStarts}' part, running one {@link JobRunner}'s; this class answers
 * what the jobs are and how far they got, and cancels, forgets and resumes them. One monitor, this
 * object's, orders starts, cancels, forgets and resumes.
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

    private final StateStore.Table<JobRecord> table;
    private final JobRunner runner;
    private final JobStarts starts;

    /**
     * @param executor runs the jobs; its size bounds how many run at once (each backup or restore
     *                 has its own block workers)
     */
    public Jobs(VolumeStore volumes, BackupService backups, StateStore.Table<JobRecord> table, ScheduledExecutorService executor,
                Clock clock, List<Duration> retryDelays) {
        VolumeBackups volumeBackups = new VolumeBackups(volumes, backups);
        this.table = table;
        CloneJob clones = new CloneJob(volumes);
        this.runner = new JobRunner(new TransferJob(volumes, volumeBackups), clones, table, executor, clock, retryDelays);
        this.starts = new JobStarts(this, volumes, volumeBackups, table, clock, clones, runner);
    }

    /**
     * Takes snapshot {@code name} of {@code volume} now and starts backing it up to {@code targetUrl}.
     * The same name for the same volume returns the job already there, whatever its state.
     *
     * @throws StrataException.AlreadyExists when a job of that name backs up another volume
     */
    public Status startBackup(SnapshotName name, VolumeName volume, String targetUrl, boolean full,
                              Map<String, String> labels) throws IOException {
        return startBackup(name, volume, targetUrl, full, 0, labels);
    }

    /**
     * As {@link #startBackup(SnapshotName, VolumeName, String, boolean, Map)}, with a block size for a new
     * backup volume: 2 or 16 MiB, or 0 for the backup volume's own.
     */
    public Status startBackup(SnapshotName name, VolumeName volume, String targetUrl, boolean full, long blockSize,
                              Map<String, String> labels) throws IOException {
        return starts.backup(name, volume, targetUrl, full, blockSize, labels);
    }

    /**
     * Starts the backup an order describes; the job's id is the backup's name.
     *
     * @throws StrataException.AlreadyExists when a backup job of that name exists
     * @throws StrataException.NotFound      when the volume or the snapshot does not exist
     */
    public Status startBackup(BackupOrder order) throws IOException {
        return starts.backup(order);
    }

    /**
     * Creates volume {@code newVolume} now (the backup's size, or {@code size} when larger) and starts
     * restoring backup {@code url} into it. The job's record is written before the volume exists, so that
     * whoever finds the volume (an NBD client asking for its export) also finds it being filled.
     */
    public Status startRestore(VolumeName newVolume, BackupUrl url, Optional<Long> size) throws IOException {
        return starts.restore(newVolume, url, size);
    }

    /** The least size of a volume restored from {@code url}: the backup's. */
    public long restoreSize(BackupUrl url) throws IOException {
        return starts.restoreSize(url);
    }

    /**
     * Creates volume {@code newVolume} of {@code size} bytes now and starts copying into it snapshot
     * {@code snapshot} of {@code source}, or, when none is named, a snapshot of its head cut now.
     * The same volume from the same source answers the job already there.
     *
     * @throws StrataException.AlreadyExists when a clone into that volume copies something else
     */
    public Status startClone(VolumeName newVolume, VolumeName source, Optional<SnapshotName> snapshot, long size)
            throws IOException {
        return starts.clone(newVolume, source, snapshot, size);
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

    Status status(JobRecord job) {
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
