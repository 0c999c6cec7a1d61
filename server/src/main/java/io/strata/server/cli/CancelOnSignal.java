package io.strata.server.cli;

import io.strata.domain.StrataException;
import io.strata.server.api.ApiModel;
import java.io.IOException;
import java.io.PrintWriter;
import sun.misc.Signal;

/**
 * While the CLI starts and follows a job that runs in the server, Ctrl-C (SIGINT) or SIGTERM cancels
 * that job through the REST API and says so, instead of leaving it running unseen; the command then
 * exits with 128 + the signal's number (130 for Ctrl-C), as a shell reports a command a signal ended.
 * {@code --detach} is how to start a job and leave it running.
 *
 * <p>Installed before the job is asked for: a signal that comes while the server is still answering
 * the request is held until the job's id is known ({@link #follow}), so no job escapes the window.
 * A signal handler rather than a shutdown hook: a hook cannot choose the exit status, and the JVM
 * installs none for a signal its parent ignored, so a hook would miss Ctrl-C where a handler does not.
 */
final class CancelOnSignal implements AutoCloseable {
    private final ServerClient server;
    private final PrintWriter err;
    private final InterruptSignals signals;
    private String jobId;
    private Cleanup cleanup;
    private Signal pending;

    /** Something to undo after a cancel, such as a half-restored volume. */
    @FunctionalInterface
    interface Cleanup {
        void run() throws IOException;
    }

    private CancelOnSignal(ServerClient server, PrintWriter err) {
        this.server = server;
        this.err = err;
        this.signals = InterruptSignals.catchWith(this::signalled);
    }

    /** Catches the signals from now on; the job to cancel is named by {@link #follow} once the server has started it. */
    static CancelOnSignal install(ServerClient server, PrintWriter err) {
        return new CancelOnSignal(server, err);
    }

    /**
     * From now on a signal cancels {@code id} (and then runs {@code afterCancel}, which may be null);
     * a signal that came before is acted on now, and the process exits.
     */
    void follow(String id, Cleanup afterCancel) {
        Signal already;
        synchronized (this) {
            jobId = id;
            cleanup = afterCancel;
            already = pending;
        }
        if (already != null) {
            cancelAndExit(already);
        }
    }

    private void signalled(Signal signal) {
        synchronized (this) {
            if (jobId == null) {
                pending = signal; // the server has not said the job's id yet: follow() acts on it
                return;
            }
        }
        cancelAndExit(signal);
    }

    private void cancelAndExit(Signal signal) {
        String id;
        Cleanup undo;
        synchronized (this) {
            id = jobId;
            undo = cleanup;
        }
        err.println();
        try {
            ApiModel.Job job = server.cancelJob(id);
            err.println("strata: interrupted: cancelled job " + id + " in " + server.describe() + " (" + job.state()
                    + "); to leave a job running, start it with --detach");
            if (undo != null) {
                undo.run();
            }
        } catch (StrataException.FailedPrecondition ended) {
            err.println("strata: interrupted: job " + id + " had already ended; strata job ls shows how");
        } catch (IOException | RuntimeException e) {
            err.println("strata: interrupted, but job " + id + " could not be cancelled (" + e.getMessage()
                    + "): it may still run in " + server.describe() + "; strata job cancel " + id + " stops it");
        }
        err.flush();
        System.exit(128 + signal.getNumber());
    }

    /** Gives the signals back to what handled them before. */
    @Override
    public void close() {
        signals.restore();
    }
}
