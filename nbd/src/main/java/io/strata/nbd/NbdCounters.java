package io.strata.nbd;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What an {@link NbdServer} has served since it started, for metrics: connections, requests by
 * command, bytes read and written, and error replies. Counting costs one uncontended add per
 * request; {@link #snapshot()} may be read from any thread at any time.
 *
 * <p>A request is counted once it has passed the server's checks (range, read-only) and goes to
 * the device; its bytes are counted then. A request the server or the device refuses counts as an
 * error, whatever its command.
 */
public final class NbdCounters {
    private final LongAdder connections = new LongAdder();
    private final AtomicLong open = new AtomicLong();
    private final LongAdder reads = new LongAdder();
    private final LongAdder writes = new LongAdder();
    private final LongAdder flushes = new LongAdder();
    private final LongAdder trims = new LongAdder();
    private final LongAdder zeroes = new LongAdder();
    private final LongAdder blockStatus = new LongAdder();
    private final LongAdder caches = new LongAdder();
    private final LongAdder bytesRead = new LongAdder();
    private final LongAdder bytesWritten = new LongAdder();
    private final LongAdder errors = new LongAdder();

    /**
     * The counters at one moment.
     *
     * @param connections     connections accepted since the start
     * @param openConnections connections being served now
     * @param errors          error replies (refused requests and device failures)
     */
    public record Snapshot(long connections, long openConnections, long reads, long writes, long flushes, long trims,
                           long writeZeroes, long blockStatus, long caches, long bytesRead, long bytesWritten, long errors) {}

    public Snapshot snapshot() {
        return new Snapshot(connections.sum(), open.get(), reads.sum(), writes.sum(), flushes.sum(), trims.sum(), zeroes.sum(),
                blockStatus.sum(), caches.sum(), bytesRead.sum(), bytesWritten.sum(), errors.sum());
    }

    void connectionOpened() {
        connections.increment();
        open.incrementAndGet();
    }

    void connectionClosed() {
        open.decrementAndGet();
    }

    void read(long bytes) {
        reads.increment();
        bytesRead.add(bytes);
    }

    void write(long bytes) {
        writes.increment();
        bytesWritten.add(bytes);
    }

    void flush() {
        flushes.increment();
    }

    void trim() {
        trims.increment();
    }

    void writeZeroes() {
        zeroes.increment();
    }

    void blockStatus() {
        blockStatus.increment();
    }

    void cache() {
        caches.increment();
    }

    void error() {
        errors.increment();
    }
}
