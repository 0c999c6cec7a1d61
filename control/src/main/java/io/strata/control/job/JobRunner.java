package io.strata.control.job;

import io.strata.backupstore.BackupProgress;
import io.strata.control.state.StateStore;
import io.strata.domain.StrataException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * How {@link Jobs} runs its jobs: on the executor, with retries of failures worth retrying, a
 * cancel that stops a job at its next block, a shutdown that leaves cut-short jobs RUNNING for the
 * next start, and the record written when a job ends.
 */
final class JobRunner {
    private final TransferJob transfers;
    private final CloneJob clones;
    private final StateStore.Table<JobRecord> table;
    private final ScheduledExecutorService executor;
    private final Clock clock;
    private final List<Duration> retryDelays;
    private final Map<String, BackupProgress> live = new ConcurrentHashMap<>();
    /** Jobs asked to stop, with why: a retry or a resumed run of one stops at its first block. */
    private final Map<String, String> cancelling = new ConcurrentHashMap<>();
    private final List<Jobs.Listener> listeners = new CopyOnWriteArrayList<>();
    private volatile boolean stopping;

    JobRunner(TransferJob transfers, CloneJob clones, StateStore.Table<JobRecord> table, ScheduledExecutorService executor, Clock clock,
              List<Duration> retryDelays) {
        this.transfers = transfers;
        this.clones = clones;
        this.table = table;
        this.executor = executor;
        this.clock = clock;
        this.retryDelays = List.copyOf(retryDelays);
    }

    /** The progress of a job this process runs (or has scheduled for a retry). */
    Optional<BackupProgress> progress(JobRecord job) {
        return Optional.ofNullable(live.get(Jobs.key(job)));
    }

    void addListener(Jobs.Listener listener) {
        listeners.add(listener);
    }

    void submit(JobRecord job, int attempt) {
        BackupProgress progress = new BackupProgress();
        live.put(Jobs.key(job), progress);
        Runnable run = () -> run(job, attempt, progress);
        try {
            if (attempt == 0) {
                executor.execute(run);
            } else {
                executor.schedule(run, retryDelays.get(attempt - 1).toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (RejectedExecutionException stopping) {
            // the process is stopping: the record stays RUNNING and the next start resumes the job
            live.remove(Jobs.key(job));
            if (attempt == 0) {
                throw new StrataException.Unavailable("Strata is shutting down: " + JobFailures.describe(job) + " will start when it is back", stopping);
            }
        }
    }

    /**
     * Asks a RUNNING job to stop at its next block. One this process does not run is recorded as
     * cancelled there and then.
     *
     * @return whether the job is running here, so that {@link #awaitStopped} has something to wait for
     */
    boolean askToStop(JobRecord job, String why) {
        String key = Jobs.key(job);
        cancelling.put(key, why);
        BackupProgress progress = live.get(key);
        if (progress == null) {
            cancelling.remove(key);
            finish(job, JobRecord.State.ERROR, cancelled(job, why), new BackupProgress());
            return false;
        }
        progress.cancel(why);
        return true;
    }

    /** @throws StrataException.Unavailable when the job still runs after {@code wait} */
    void awaitStopped(JobRecord job, Duration wait) throws IOException {
        String key = Jobs.key(job);
        long deadline = System.nanoTime() + wait.toNanos();
        while (live.containsKey(key)) {
            if (System.nanoTime() - deadline > 0) {
                throw new StrataException.Unavailable(JobFailures.describe(job) + " is stopping after a cancel; retry in a moment");
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for a cancelled job to stop");
            }
        }
    }

    void stop(Duration grace) throws InterruptedException {
        stopping = true;
        executor.shutdown();
        if (!executor.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
            executor.shutdownNow();
            executor.awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private void run(JobRecord job, int attempt, BackupProgress progress) {
        String asked = cancelling.get(Jobs.key(job));
        if (asked != null) {
            progress.cancel(asked); // a retry or resumed run of a job cancelled meanwhile
        }
        try {
            switch (job.kind()) {
                case BACKUP -> transfers.runBackup(job, progress);
                case RESTORE -> transfers.runRestore(job, progress);
                case CLONE -> clones.run(job, progress); // a local copy: a failure is not worth retrying
            }
            cancelling.remove(Jobs.key(job)); // done before the cancel reached it: it stands
            finish(job, JobRecord.State.COMPLETE, null, progress);
        } catch (IOException | RuntimeException e) {
            String why = cancelling.remove(Jobs.key(job));
            if (why != null) {
                finish(job, JobRecord.State.ERROR, cancelled(job, why), progress);
                return;
            }
            if (stopping || JobFailures.interrupted(e)) {
                // A shutdown cut the job short; it has not failed: its record stays RUNNING, and
                // the next start resumes it.
                live.remove(Jobs.key(job));
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
            table.put(Jobs.key(job), ended);
        } catch (IOException | RuntimeException e) {
            // the record stays RUNNING: the next start resumes the job, which then finds its result
            return;
        } finally {
            live.remove(Jobs.key(job));
        }
        for (Jobs.Listener listener : listeners) {
            try {
                listener.finished(ended, progress);
            } catch (RuntimeException e) {
                // a listener (metrics) must not change how a job ends
            }
        }
    }

    private static String cancelled(JobRecord job, String why) {
        return JobFailures.describe(job) + " was cancelled: " + why;
    }
}
