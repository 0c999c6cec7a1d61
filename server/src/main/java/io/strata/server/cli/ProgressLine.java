package io.strata.server.cli;

import io.strata.backupstore.BackupProgress;
import io.strata.domain.ByteSize;
import java.io.PrintWriter;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A one-line progress report on stderr, rewritten in place four times a second while a backup,
 * restore or clone runs. Only on a terminal: scripts and logs get the final result alone. Each kind
 * of work shows its own counters (a restore uploads nothing), and until the work knows how much
 * there is to do the line says it is starting rather than "0% of 0 B".
 */
final class ProgressLine implements AutoCloseable {
    /** The kind of work, which decides what its counters mean. */
    enum Work {
        BACKUP, RESTORE, CLONE;

        /** The kind of a server's job, by the job's {@code kind}. */
        static Work ofJob(String kind) {
            return switch (kind) {
                case "restore" -> RESTORE;
                case "clone" -> CLONE;
                default -> BACKUP;
            };
        }
    }

    /** What the line shows: the work's figures at one moment, from this process or from a server's job. */
    record Figures(Work work, int percent, long bytesScanned, long bytesToScan, long bytesUploaded, long blocksNew,
                   long blocksReused) {
        static Figures of(Work work, BackupProgress p) {
            return new Figures(work, p.percent(), p.bytesScanned(), p.bytesToScan(), p.bytesUploaded(), p.blocksNew(),
                    p.blocksReused());
        }
    }

    private final PrintWriter err;
    private final String what;
    private final Supplier<Figures> progress;
    private final ScheduledExecutorService ticker;
    private final long started = System.nanoTime();
    private int lastLength;

    private ProgressLine(PrintWriter err, String what, Supplier<Figures> progress, boolean enabled) {
        this.err = err;
        this.what = what;
        this.progress = progress;
        this.ticker = enabled ? Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("progress").factory()) : null;
        if (ticker != null) {
            ticker.scheduleAtFixedRate(this::draw, 250, 250, TimeUnit.MILLISECONDS);
        }
    }

    static ProgressLine start(PrintWriter err, String what, Work work, BackupProgress progress) {
        return start(err, what, () -> Figures.of(work, progress));
    }

    static ProgressLine start(PrintWriter err, String what, Supplier<Figures> progress) {
        return new ProgressLine(err, what, progress, System.console() != null && System.console().isTerminal());
    }

    static String render(String what, Figures p, double seconds) {
        if (p.bytesToScan() <= 0) {
            return what + ": starting…"; // the work has not yet said how much there is: no "0% of 0 B"
        }
        double rate = seconds > 0 ? p.bytesScanned() / seconds : 0;
        String done = p.percent() + "% " + ByteSize.human(p.bytesScanned()) + " of " + ByteSize.human(p.bytesToScan());
        String speed = ByteSize.human((long) rate) + "/s";
        return what + ": " + switch (p.work()) {
            case BACKUP -> done + " read, " + ByteSize.human(p.bytesUploaded()) + " uploaded, " + p.blocksNew() + " new / "
                    + p.blocksReused() + " reused blocks, " + speed;
            case RESTORE -> done + " read and written, " + speed;
            case CLONE -> done + " copied, " + speed;
        };
    }

    private synchronized void draw() {
        String line = render(what, progress.get(), (System.nanoTime() - started) / 1e9);
        err.print("\r" + line + " ".repeat(Math.max(0, lastLength - line.length())));
        err.flush();
        lastLength = line.length();
    }

    @Override
    public synchronized void close() {
        if (ticker != null) {
            ticker.shutdownNow();
            if (lastLength > 0) {
                err.print("\r" + " ".repeat(lastLength) + "\r");
                err.flush();
            }
        }
    }
}
