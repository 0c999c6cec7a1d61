package io.strata.server.cli;

import io.strata.backupstore.BackupProgress;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C or SIGTERM while a restore runs here: the restore is cancelled (a target call that waits
 * is interrupted) and the process exits only once it has failed and removed the half-restored
 * volume, or after 30 s. Without this, the JVM would stop mid-restore and leave the volume.
 */
final class StopOnExit implements AutoCloseable {
    private final Thread hook;
    private final CountDownLatch ended = new CountDownLatch(1);

    private StopOnExit(BackupProgress progress, Thread work) {
        hook = new Thread(() -> {
            progress.cancel("the command was interrupted");
            work.interrupt(); // e.g. while it waits for rivals before taking the backupstore lock
            try {
                ended.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "strata-restore-stop");
    }

    static StopOnExit of(BackupProgress progress) {
        StopOnExit stop = new StopOnExit(progress, Thread.currentThread());
        Runtime.getRuntime().addShutdownHook(stop.hook);
        return stop;
    }

    @Override
    public void close() {
        ended.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException exiting) {
            // the hook runs now, and returns at once since the restore has ended
        }
    }
}
