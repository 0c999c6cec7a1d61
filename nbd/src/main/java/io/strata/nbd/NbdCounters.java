package io.strata.nbd;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What an {@link NbdServer} has served since it started, for metrics: connections, requests by
 * command, bytes read and written, error replies, and connections refused by reason. Counting costs one uncontended add per
 * request; {@link #snapshot()} may be read from any thread at any time.
 *
 * <p>A request is counted once it has passed the server's checks (range, read-only) and goes to
 * the device; its bytes are counted then. A request the server or the device refuses counts as an
 * error, whatever its command.
 */
public final class NbdCounters {
    /**
     * Why the server closed a connection it did not serve: a refusal a client meets tells an operator
     * which limit to look at (or that a client misbehaves).
     */
    public enum Refusal {
        /** The client already held {@link NbdConfig#maxConnectionsPerClient()} connections. */
        PER_CLIENT("per-client"),
        /** Its group (the server's own user, or everyone else) already held {@link NbdConfig#maxConnections()}. */
        TOTAL("total"),
        /** It had not chosen an export within {@link NbdConfig#handshakeTimeout()}. */
        HANDSHAKE_TIMEOUT("handshake-timeout");

        private final String label;

        Refusal(String label) {
            this.label = label;
        }

        /** Its name in metrics, e.g. {@code per-client}. */
        public String label() {
            return label;
        }
    }

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
    private final Map<Refusal, LongAdder> refused = new EnumMap<>(Refusal.class);

    public NbdCounters() {
        for (Refusal reason : Refusal.values()) {
            refused.put(reason, new LongAdder()); // filled once: read without a lock afterwards
        }
    }

    /**
     * The counters at one moment.
     *
     * @param connections     connections accepted since the start
     * @param openConnections connections being served now
     * @param errors          error replies (refused requests and device failures)
     * @param refused         connections closed unserved since the start, by why (every reason present)
     */
    public record Snapshot(long connections, long openConnections, long reads, long writes, long flushes, long trims,
                           long writeZeroes, long blockStatus, long caches, long bytesRead, long bytesWritten, long errors,
                           Map<Refusal, Long> refused) {
        public Snapshot {
            refused = Map.copyOf(refused);
        }
    }

    public Snapshot snapshot() {
        Map<Refusal, Long> byReason = new EnumMap<>(Refusal.class);
        refused.forEach((reason, count) -> byReason.put(reason, count.sum()));
        return new Snapshot(connections.sum(), open.get(), reads.sum(), writes.sum(), flushes.sum(), trims.sum(), zeroes.sum(),
                blockStatus.sum(), caches.sum(), bytesRead.sum(), bytesWritten.sum(), errors.sum(), byReason);
    }

    /** Connections closed unserved for {@code reason} since the start. */
    public long refused(Refusal reason) {
        return refused.get(reason).sum();
    }

    void connectionOpened() {
        connections.increment();
        open.incrementAndGet();
    }

    void refuse(Refusal reason) {
        refused.get(reason).increment();
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
