package io.strata.backupstore;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Flushes a restore's sink on a thread of its own each time another {@code interval} bytes have been
 * written, so that the disk takes the data in while the restore goes on instead of all of it in the
 * final flush. A flush under way is never queued behind: the bytes written meanwhile wait for the
 * next one. Each flush runs on a new thread that ends with it, so a restore that fails leaves none
 * waiting behind.
 */
final class BackgroundFlush {
    /**
     * A restore's interval: every 128 MiB. Measured on a 2-core VM restoring 1.5 GiB, it took a
     * quarter to a third off the restore's time against one flush at the end; 64 and 256 MiB did no
     * better.
     */
    static final long RESTORE_INTERVAL = 128L << 20;

    private final RestoreSink sink;
    private final long interval;
    private final AtomicLong unflushed = new AtomicLong();
    private final AtomicReference<Thread> running = new AtomicReference<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    BackgroundFlush(RestoreSink sink, long interval) {
        this.sink = sink;
        this.interval = interval;
    }

    /** Counts {@code bytes} written; starts a flush when enough are unflushed and none is running. */
    void wrote(long bytes) throws IOException {
        rethrow();
        if (unflushed.addAndGet(bytes) < interval) {
            return;
        }
        Thread last = running.get();
        if (last != null && last.isAlive()) {
            return;
        }
        unflushed.set(0);
        Thread flush = Thread.ofPlatform().daemon().name("strata-restore-flush").unstarted(() -> {
            try {
                sink.flush();
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            }
        });
        if (running.compareAndSet(last, flush)) {
            flush.start();
        }
    }

    /** Waits for a flush under way, then rethrows what any flush threw. */
    void finish() throws IOException {
        Thread last = running.get();
        if (last != null) {
            try {
                last.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for a flush", e);
            }
        }
        rethrow();
    }

    private void rethrow() throws IOException {
        switch (failure.get()) {
            case null -> { }
            case IOException e -> throw e;
            case RuntimeException e -> throw e;
            case Error e -> throw e;
            case Throwable e -> throw new IOException("a background flush failed", e);
        }
    }
}
