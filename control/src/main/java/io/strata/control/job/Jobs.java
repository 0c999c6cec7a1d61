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
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

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
    private final TransferJob transfers;
    private final CloneJob clones;
    private final StateStore.Table<JobRecord> table;
    private final ScheduledExecutorService executor;
    private final Clock clock;
    private final List<Duration> retryDelays;
    private final Map<String, BackupProgress> live = new ConcurrentHashMap<>();
    /** Jobs asked to stop, with why: a retry or a resumed run of one stops at its first block. */
    private final Map<String, String> cancelling = new ConcurrentHashMap<>();
    private final List<Listener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile boolean stopping;

    /**
     * @param executor runs the jobs; its size bounds how many run at once (each backup or restore
     *                 has its own block workers)
     */
    public Jobs(VolumeStore volumes, BackupService backups, StateStore.Table<JobRecord> table, ScheduledExecutorService executor,
                Clock clock, List<Duration> retryDelays) {
        this.volumes = volumes;
        this.volumeBackups = new VolumeBackups(volumes, backups);
        this.transfers = new TransferJob(volumes, volumeBackups);
        this.clones = new CloneJob(volumes);
        this.table = table;
        this.executor = executor;
        this.clock = clock;
        this.retryDelays = List.copyOf(retryDelays);
    }

    /**
     * Takes snapshot {@code name} of {@code volume} now and starts backing it up to {@code targetUrl}.
     * The same name for the same volume returns the job already there, whatever its state.
     *
     * @throws StrataException.AlreadyExists when a job of that name backs up another volume
     */
    public synchronized Status startBackup(SnapshotName name, VolumeName volume, String targetUrl, boolean full,
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
        String backup = "backup-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        BackupUrl.of(targetUrl, volume.value(), backup); // a name the backupstore takes, before anything is done
        if (source.snapshots().stream().noneMatch(s -> s.name().equals(name))) {
            // the snapshot carries the backup's labels: a job resumed after a restart finds them there
            Map<String, String> snapshotLabels = new java.util.HashMap<>(labels);
            snapshotLabels.put(VolumeBackups.BACKUP_LABEL, backup);
            source.createSnapshot(name, snapshotLabels, true);
        }
        JobRecord job = new JobRecord(name.value(), JobRecord.Kind.BACKUP, JobRecord.State.RUNNING, volume.value(), name.value(),
                targetUrl, backup, full ? "full" : "incremental", clock.instant(), null, null, 0, 0);
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
        String backup = order.backup().orElseGet(() -> "backup-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong()));
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
                order.compression().method(), Map.copyOf(order.labels()), 0, 0, 0);
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

    /** The restore job filling {@code newVolume} when it restores {@code url}; AlreadyExists when it restores something else. */
    private synchronized Optional<Status> existingRestore(VolumeName newVolume, BackupUrl url) throws IOException {
        Optional<JobRecord> existing = table.get(key(JobRecord.Kind.RESTORE, newVolume.value()));
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
        volumes.create(newVolume, volumeSize);
        // for a restore, 'snapshot' holds the backup volume's name: the job must find the backup again after a restart
        JobRecord job = new JobRecord(newVolume.value(), JobRecord.Kind.RESTORE, JobRecord.State.RUNNING, newVolume.value(),
                url.volume(), url.target(), url.backup().orElseThrow(), null, clock.instant(), null, null, 0, volumeSize);
        try {
            table.put(key(job), job);
        } catch (IOException | RuntimeException e) {
            volumes.delete(newVolume);
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
        if (existing.isPresent() && live.containsKey(key(existing.get()))) {
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

    /** The backup job of CSI snapshot {@code name}, if there is one. */
    public Optional<Status> backup(String name) throws IOException {
        return table.get(key(JobRecord.Kind.BACKUP, name)).map(this::status);
    }

    /** The restore job filling volume {@code volume}, if there is one. */
    public Optional<Status> restore(String volume) throws IOException {
        return table.get(key(JobRecord.Kind.RESTORE, volume)).map(this::status);
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
     * a job that is not running is left as it is. Blocks already on their way finish first, so the
     * volume and the target are left whole (a backup's in-progress cfg stays, for a deletion to
     * remove). Waits up to {@code wait} for the job to let go of them.
     *
     * @return whether a running job was cancelled
     * @throws StrataException.Unavailable when the job has not stopped within {@code wait}
     */
    public boolean cancel(JobRecord.Kind kind, String id, String why, Duration wait) throws IOException {
        String key = key(kind, id);
        synchronized (this) {
            Optional<JobRecord> job = table.get(key);
            if (job.isEmpty() || job.get().state() != JobRecord.State.RUNNING) {
                return false;
            }
            cancelling.put(key, why);
            BackupProgress progress = live.get(key);
            if (progress == null) { // recorded as running but not run by this process (yet): nothing to stop
                cancelling.remove(key);
                finish(job.get(), JobRecord.State.ERROR, cancelled(job.get(), why), new BackupProgress());
                return true;
            }
            progress.cancel(why);
        }
        long deadline = System.nanoTime() + wait.toNanos();
        while (live.containsKey(key)) {
            if (System.nanoTime() - deadline > 0) {
                throw new StrataException.Unavailable(JobFailures.describe(table.get(key).orElseThrow()) + " is stopping after a cancel;"
                        + " retry in a moment");
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while waiting for a cancelled job to stop");
            }
        }
        return true;
    }

    private static String cancelled(JobRecord job, String why) {
        return JobFailures.describe(job) + " was cancelled: " + why;
    }

    private static String key(JobRecord job) {
        return key(job.kind(), job.id());
    }

    /** Backups are keyed by snapshot name, restores and clones by volume name: a prefix keeps them apart. */
    private static String key(JobRecord.Kind kind, String id) {
        return kind.name().toLowerCase(java.util.Locale.ROOT) + "@" + id;
    }

    /**
     * Stops running jobs for a shutdown: waits up to {@code grace} for them to end, then interrupts
     * them. Jobs cut short stay RUNNING in their records, and {@link #resumeAll} starts them again.
     */
    public void stop(Duration grace) throws InterruptedException {
        stopping = true;
        executor.shutdown();
        if (!executor.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
            executor.shutdownNow();
            executor.awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    /** Starts again every job that was running when the process stopped. */
    public synchronized int resumeAll() throws IOException {
        int resumed = 0;
        for (JobRecord job : table.all()) {
            if (job.state() == JobRecord.State.RUNNING && !live.containsKey(key(job))) {
                submit(job, 0);
                resumed++;
            }
        }
        return resumed;
    }

    private Status status(JobRecord job) {
        return new Status(job, Optional.ofNullable(live.get(key(job))));
    }

    private void submit(JobRecord job, int attempt) {
        BackupProgress progress = new BackupProgress();
        live.put(key(job), progress);
        Runnable run = () -> run(job, attempt, progress);
        try {
            if (attempt == 0) {
                executor.execute(run);
            } else {
                executor.schedule(run, retryDelays.get(attempt - 1).toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (RejectedExecutionException stopping) {
            // the process is stopping: the record stays RUNNING and the next start resumes the job
            live.remove(key(job));
            if (attempt == 0) {
                throw new StrataException.Unavailable("Strata is shutting down: " + JobFailures.describe(job) + " will start when it is back", stopping);
            }
        }
    }

    private void run(JobRecord job, int attempt, BackupProgress progress) {
        String asked = cancelling.get(key(job));
        if (asked != null) {
            progress.cancel(asked); // a retry or resumed run of a job cancelled meanwhile
        }
        try {
            switch (job.kind()) {
                case BACKUP -> transfers.runBackup(job, progress);
                case RESTORE -> transfers.runRestore(job, progress);
                case CLONE -> clones.run(job, progress); // a local copy: a failure is not worth retrying
            }
            cancelling.remove(key(job)); // done before the cancel reached it: it stands
            finish(job, JobRecord.State.COMPLETE, null, progress);
        } catch (IOException | RuntimeException e) {
            String why = cancelling.remove(key(job));
            if (why != null) {
                finish(job, JobRecord.State.ERROR, cancelled(job, why), progress);
                return;
            }
            if (stopping || JobFailures.interrupted(e)) {
                // A shutdown cut the job short; it has not failed: its record stays RUNNING, and
                // the next start resumes it.
                live.remove(key(job));
                return;
            }
            if (job.kind() != JobRecord.Kind.CLONE && JobFailures.retriable(e) && attempt < retryDelays.size()) {
                submit(job, attempt + 1);
                return;
            }
            finish(job, JobRecord.State.ERROR, JobFailures.describe(job) + " failed: " + JobFailures.message(e), progress);
        }
    }

    private void finish(JobRecord job, JobRecord.State state, String error, BackupProgress progress) {
        JobRecord ended = job.with(state, clock.instant(), error, progress);
        try {
            table.put(key(job), ended);
        } catch (IOException | RuntimeException e) {
            // the record stays RUNNING: the next start resumes the job, which then finds its result
            return;
        } finally {
            live.remove(key(job));
        }
        for (Listener listener : listeners) {
            try {
                listener.finished(ended, progress);
            } catch (RuntimeException e) {
                // a listener (metrics) must not change how a job ends
            }
        }
    }

    /** Told of each job that ends, complete or failed, once its record says so; on the job's thread. */
    @FunctionalInterface
    public interface Listener {
        void finished(JobRecord record, BackupProgress progress);
    }

    /** Adds a listener for jobs that end from now on. */
    public void addListener(Listener listener) {
        listeners.add(listener);
    }

}
