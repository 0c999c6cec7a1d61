package io.strata.backupstore;

import io.strata.domain.StrataException;
import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Moves blocks in two stages: a task per block on a fixed number of workers (reading, hashing,
 * compressing: the CPU's work), then the write it hands back, if any, on a fixed number of writers.
 * A worker does not wait for a write to finish: while a target syncs or uploads one block, or a
 * volume takes one in, the workers are already hashing the next ones, so the cores and the target
 * stay busy together.
 *
 * <p>At most {@code 2 * workers + 2 * writers} blocks are in flight (queued, in a task, or waiting
 * for or in their write), so memory stays bounded whatever the volume's size. The first failure stops
 * the rest and is rethrown as it was, once every task and write already started has ended.
 */
final class BlockPipeline {
    /** A block's work on a worker; returns what remains to be written, or null when nothing does. */
    interface BlockTask {
        BlockWrite run(long block) throws IOException;
    }

    /** The end of a block's work, on a writer: typically one write to the target or the sink. */
    interface BlockWrite {
        void run() throws IOException;
    }

    /** A block's whole work, on a worker: nothing is left to write. */
    interface BlockWork {
        void run(long block) throws IOException;
    }

    private BlockPipeline() {}

    /** One stage only: each block's work runs on a worker from start to end. */
    static void run(Iterable<Long> blocks, int workers, BlockWork work) throws IOException {
        run(blocks, workers, 0, block -> {
            work.run(block);
            return null;
        });
    }

    /**
     * @param writers threads for the writes: several when writes wait on something other than the
     *                CPU (a sync, an upload); one when they all land in one file, which the kernel
     *                takes one write at a time anyway (more would only contend for its lock)
     */
    static void run(Iterable<Long> blocks, int workers, int writers, BlockTask task) throws IOException {
        int n = Math.max(1, workers);
        int w = Math.max(1, writers);
        ExecutorService pool = Executors.newFixedThreadPool(n, daemon("strata-block-worker"));
        ExecutorService writerPool = Executors.newFixedThreadPool(w, daemon("strata-block-writer"));
        Semaphore inFlight = new Semaphore(2 * n + 2 * w);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try {
            for (long block : blocks) {
                inFlight.acquire();
                if (failure.get() != null) {
                    inFlight.release();
                    break;
                }
                pool.execute(() -> {
                    BlockWrite write = null;
                    try {
                        if (failure.get() == null) {
                            write = task.run(block);
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                    if (write == null) {
                        inFlight.release();
                        return;
                    }
                    BlockWrite pending = write;
                    writerPool.execute(() -> {
                        try {
                            if (failure.get() == null) {
                                pending.run();
                            }
                        } catch (Throwable e) {
                            failure.compareAndSet(null, e);
                        } finally {
                            inFlight.release();
                        }
                    });
                });
            }
            // the workers hand writes to the writers until their last task: stop them first
            awaitAll(pool);
            awaitAll(writerPool);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StrataException.Unavailable("interrupted while moving blocks");
        } finally {
            pool.shutdownNow();
            writerPool.shutdownNow();
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

    private static void awaitAll(ExecutorService pool) throws InterruptedException {
        pool.shutdown();
        while (!pool.awaitTermination(1, TimeUnit.SECONDS)) {
            // blocks still moving
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
