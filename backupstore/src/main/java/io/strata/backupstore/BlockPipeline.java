package io.strata.backupstore;

import io.strata.domain.StrataException;
import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs one task per block on a fixed number of workers, with at most twice that many blocks in
 * flight, so memory stays bounded whatever the volume's size. The first failure stops the rest and
 * is rethrown as it was.
 */
final class BlockPipeline {
    interface BlockTask {
        void run(long block) throws IOException;
    }

    private BlockPipeline() {}

    static void run(Iterable<Long> blocks, int workers, BlockTask task) throws IOException {
        int n = Math.max(1, workers);
        ExecutorService pool = Executors.newFixedThreadPool(n, r -> {
            Thread t = new Thread(r, "strata-block-worker");
            t.setDaemon(true);
            return t;
        });
        Semaphore inFlight = new Semaphore(2 * n);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try {
            for (long block : blocks) {
                inFlight.acquire();
                if (failure.get() != null) {
                    break;
                }
                pool.execute(() -> {
                    try {
                        if (failure.get() == null) {
                            task.run(block);
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    } finally {
                        inFlight.release();
                    }
                });
            }
            pool.shutdown();
            while (!pool.awaitTermination(1, TimeUnit.SECONDS)) {
                // blocks still moving
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StrataException.Unavailable("interrupted while moving blocks");
        } finally {
            pool.shutdownNow();
        }
        Throwable first = failure.get();
        if (first instanceof IOException io) {
            throw io;
        }
        if (first instanceof RuntimeException runtime) {
            throw runtime;
        }
        if (first instanceof Error error) {
            throw error;
        }
    }
}
