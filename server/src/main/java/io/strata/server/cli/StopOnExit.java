package io.strata.server.cli;

import io.strata.backupstore.BackupProgress;
import java.io.PrintWriter;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import sun.misc.Signal;

/**
 * Ctrl-C (SIGINT) or SIGTERM while a backup or restore runs in this process, without a server: the
 * work is cancelled cooperatively ({@link BackupProgress#cancel}), so it undoes itself as any failed
 * backup or restore does (an in-progress backup's cfg and lock are removed, a half-restored volume
 * is deleted); then the command says so and exits with 128 + the signal's number (130 for Ctrl-C),
 * as {@link CancelOnSignal} does for a server's job. Without this, the JVM would stop mid-work and
 * leave the cleanup to the next run.
 *
 * <p>A signal handler rather than a shutdown hook, for the reasons {@link CancelOnSignal} gives, and
 * one more: with a hook the JVM ends as soon as the hook returns, racing the work's own failure to
 * stderr. Work that does not stop within {@value #GRACE_SECONDS} s, or a second signal, ends the
 * process at once.
 */
final class StopOnExit implements AutoCloseable {
    static final int GRACE_SECONDS = 30;
    private final BackupProgress progress;
    private final PrintWriter err;
    private final String what;
    private final String undone;
    private final CountDownLatch ended = new CountDownLatch(1);
    private final InterruptSignals signals;
    private Signal received;

    private StopOnExit(BackupProgress progress, PrintWriter err, String what, String undone) {
        this.progress = progress;
        this.err = err;
        this.what = what;
        this.undone = undone;
        this.signals = InterruptSignals.catchWith(this::signalled);
    }

    /**
     * Catches the signals until {@link #close}.
     *
     * @param what   the work, as the messages name it: "the backup of db"
     * @param undone what a cancel leaves, said once the work has stopped: "no backup was made"
     */
    static StopOnExit of(BackupProgress progress, PrintWriter err, String what, String undone) {
        return new StopOnExit(progress, err, what, undone);
    }

    private void signalled(Signal signal) {
        synchronized (this) {
            if (received != null || ended.getCount() == 0) {
                exit(signal, "strata: interrupted again: exiting without waiting for " + what + " to stop");
            }
            received = signal;
        }
        err.println();
        err.println("strata: interrupted: cancelling " + what + " (interrupt again to exit at once)");
        err.flush();
        progress.cancel("the command was interrupted");
        Thread.ofPlatform().daemon().name("strata-stop-grace").start(() -> {
            try {
                if (!ended.await(GRACE_SECONDS, TimeUnit.SECONDS)) {
                    exit(signal, "strata: " + what + " did not stop within " + GRACE_SECONDS + " s of the interrupt; exiting");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /**
     * Gives the signals back. After a signal, unless the work completed regardless (then the command
     * reports it as usual), says the work was cancelled and exits: the work's own failure, "cancelled",
     * says nothing a user needs twice.
     */
    @Override
    public void close() {
        Signal signal;
        synchronized (this) {
            ended.countDown();
            signal = received;
        }
        signals.restore();
        if (signal != null && progress.state() != BackupProgress.State.COMPLETE) {
            exit(signal, "strata: cancelled " + what + ": " + undone);
        }
    }

    private void exit(Signal signal, String message) {
        err.println(message);
        err.flush();
        System.exit(128 + signal.getNumber());
    }
}
