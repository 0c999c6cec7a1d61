package io.strata.backupstore.s3;

import java.time.Duration;

/**
 * How hard an S3 target tries and how long it waits. Production uses {@link #PRODUCTION}; tests pass
 * shorter ones so that a server that is down fails a test in seconds.
 *
 * @param maxAttempts      per request, the first included: throttling (503 SlowDown, 429), 5xx and
 *                         connection errors are retried with exponential backoff and full jitter
 * @param baseDelay        the first backoff after an error
 * @param throttlingDelay  the first backoff after throttling: longer, the server asked us to slow down
 * @param maxBackoff       the longest single backoff
 * @param attemptTimeout   the longest one attempt may take, however slowly bytes trickle, so nothing
 *                         hangs forever; generous, as many workers may share a slow link
 * @param acquireTimeout   the longest a request waits for a pooled connection
 * @param maxConnections   the connection pool: enough for every block worker
 */
record Tuning(int maxAttempts, Duration baseDelay, Duration throttlingDelay, Duration maxBackoff, Duration connectTimeout,
              Duration socketTimeout, Duration attemptTimeout, Duration acquireTimeout, int maxConnections) {

    static final Tuning PRODUCTION = new Tuning(5, Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(20),
            Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofMinutes(10), Duration.ofMinutes(5), 64);

    Tuning {
        if (maxAttempts < 1 || maxConnections < 1) {
            throw new IllegalArgumentException("an S3 target needs at least one attempt and one connection");
        }
    }
}
