package io.strata.nbd;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Warnings about what clients do to the server (connections refused, handshakes that stall), at
 * most one line per interval; the lines in between are counted and the count goes with the next
 * line. A client hammering the listener must not flood the log, nor hide everything else in it.
 */
final class RateLimitedLog {
    private final System.Logger log;
    private final long intervalNanos;
    private final LongSupplier nanoClock;
    private boolean loggedOnce;
    private long lastLogged;
    private long suppressed;

    RateLimitedLog(System.Logger log, Duration interval, LongSupplier nanoClock) {
        this.log = log;
        this.intervalNanos = interval.toNanos();
        this.nanoClock = nanoClock;
    }

    /** Logs {@code message} as a warning, unless a line went out within the interval; then only counts it. */
    void warn(String message) {
        long now = nanoClock.getAsLong();
        long skipped;
        synchronized (this) {
            if (loggedOnce && now - lastLogged < intervalNanos) {
                suppressed++;
                return;
            }
            loggedOnce = true;
            lastLogged = now;
            skipped = suppressed;
            suppressed = 0;
        }
        log.log(System.Logger.Level.WARNING, skipped == 0 ? message : message + " (and " + skipped + " more such since the last line)");
    }
}
