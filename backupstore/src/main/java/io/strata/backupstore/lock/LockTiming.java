package io.strata.backupstore.lock;

import java.time.Clock;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * The times a backupstore lock lives by, and the two clocks it reads.
 *
 * <p>Rivals judge a lock by the store's clock: a lock file whose modification time is more than
 * {@link #expiry} before their {@code clock} has expired (Longhorn's rule, 150 s). The holder
 * cannot see that judgement; it can only count, on its own monotonic {@code nanoTime}, how long
 * it has gone without a successful rewrite. A holder that went {@link #trusted()} or longer must
 * assume a rival took the volume. The refresh period and the trust window scale with the expiry
 * (60 s and 120 s of 150 s), so that a test may shrink the expiry to seconds and keep the same
 * proportions; production always uses {@link #longhorn}.
 *
 * @param expiry   how long after its last rewrite a lock file counts as expired
 * @param settle   how long an attempt waits for rivals' files before looking (Longhorn's 2 s)
 * @param clock    the wall clock that lock files' modification times are compared with
 * @param nanoTime a monotonic clock in nanoseconds ({@code System::nanoTime}); it counts a paused
 *                 process's pause, which the wall clock may not
 */
public record LockTiming(Duration expiry, Duration settle, Clock clock, LongSupplier nanoTime) {

    public LockTiming {
        if (expiry.compareTo(Duration.ofMillis(500)) < 0) {
            throw new IllegalArgumentException("a lock expiry under 500 ms leaves no time to refresh: " + expiry);
        }
        if (settle.isNegative()) {
            throw new IllegalArgumentException("negative settle time: " + settle);
        }
    }

    /** Longhorn's timing: 150 s expiry, the system's clocks, and the given settle time. */
    public static LockTiming longhorn(Clock clock, Duration settle) {
        return new LockTiming(BackupLock.EXPIRY, settle, clock, System::nanoTime);
    }

    /** This timing with another expiry: for tests that cannot wait 150 s. */
    public LockTiming withExpiry(Duration newExpiry) {
        return new LockTiming(newExpiry, settle, clock, nanoTime);
    }

    /** How often a held lock is rewritten: 2/5 of the expiry (Longhorn's 60 s of 150 s), so two rewrites may fail. */
    public Duration refresh() {
        return expiry.multipliedBy(2).dividedBy(5);
    }

    /**
     * How long after the start of its last successful rewrite a holder still trusts its lock: 4/5
     * of the expiry (120 s of 150 s). The fifth left over covers the skew between this machine's
     * clock and the clocks of the store and of rivals.
     */
    public Duration trusted() {
        return expiry.multipliedBy(4).dividedBy(5);
    }
}
