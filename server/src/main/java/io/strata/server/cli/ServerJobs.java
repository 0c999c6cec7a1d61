package io.strata.server.cli;

import io.strata.domain.StrataException;
import io.strata.server.api.ApiModel;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Backups, restores and clones through a server: started as its jobs, followed (with the progress line)
 * until they end, so that the command ends when the work does, as it does without a server.
 */
final class ServerJobs {
    private static final Duration POLL = Duration.ofMillis(200);

    private ServerJobs() {}

    /**
     * Waits for {@code started} to end; returns it complete, or throws with its error. From now on a
     * signal cancels it ({@link CancelOnSignal}, installed before the job was asked for), and then
     * runs {@code afterCancel} (may be null).
     */
    @SuppressWarnings("try") // the progress line draws while the try runs
    static ApiModel.Job follow(ServerClient server, CancelOnSignal signals, ApiModel.Job started, PrintWriter err, String what,
                               CancelOnSignal.Cleanup afterCancel) throws IOException {
        signals.follow(started.id(), afterCancel);
        AtomicReference<ApiModel.Job> job = new AtomicReference<>(started);
        try (ProgressLine line = ProgressLine.start(err, what, () -> figures(job.get()))) {
            while (job.get().state().equals("running")) {
                Thread.sleep(POLL.toMillis());
                job.set(server.job(started.id()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StrataException.Unavailable("interrupted: job " + started.id() + " goes on in " + server.describe(), e);
        }
        if (job.get().state().equals("error")) {
            throw new StrataException.Internal(job.get().error(), null);
        }
        return job.get();
    }

    private static ProgressLine.Figures figures(ApiModel.Job job) {
        ApiModel.Progress p = job.progress();
        return new ProgressLine.Figures(ProgressLine.Work.ofJob(job.kind()), p.percent(), p.bytesDone(), p.bytesTotal(),
                p.bytesUploaded(), p.blocksNew(), p.blocksReused());
    }

    /**
     * Clones through the server and waits for the copy; a clone that fails takes its volume with it,
     * so no half-copied volume is left, as without a server.
     */
    static ApiModel.Volume cloneVolume(ServerClient server, String source, String newVolume, PrintWriter err) throws IOException {
        try (CancelOnSignal signals = CancelOnSignal.install(server, err)) {
            ApiModel.Volume created = server.createVolume(newVolume, 0, source);
            if (created.cloning() == null) {
                return created;
            }
            followInto(server, signals, server.job(created.cloning().job()), newVolume, err, "cloning into " + newVolume);
            return created;
        }
    }

    /**
     * Restores into a new volume and waits; a restore that fails takes its volume with it, so no
     * half-restored volume is left, as without a server.
     */
    static ApiModel.Job restore(ServerClient server, String volume, String backup, String newVolume, Long size, PrintWriter err)
            throws IOException {
        try (CancelOnSignal signals = CancelOnSignal.install(server, err)) {
            return followInto(server, signals, server.restore(volume, backup, newVolume, size), newVolume, err,
                    "restoring into " + newVolume);
        }
    }

    /** {@link #follow}s a job filling {@code newVolume}, and deletes the volume when the job fails. */
    private static ApiModel.Job followInto(ServerClient server, CancelOnSignal signals, ApiModel.Job started, String newVolume,
                                           PrintWriter err, String what) throws IOException {
        try {
            return follow(server, signals, started, err, what, () -> server.deleteVolume(newVolume));
        } catch (StrataException e) {
            try {
                server.deleteVolume(newVolume);
            } catch (IOException | RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }
}
