package io.strata.nbd;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.ResourceBundle;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** A client hammering the listener gets one warning line per interval, carrying the count of those not logged. */
class RateLimitedLogTest {

    /** A logger that keeps what it is given. */
    private static final class Lines implements System.Logger {
        final List<String> lines = new ArrayList<>();

        @Override
        public String getName() {
            return "test";
        }

        @Override
        public boolean isLoggable(Level level) {
            return true;
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
            lines.add(level + " " + msg);
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String format, Object... params) {
            lines.add(level + " " + format);
        }

        @Override
        public void log(Level level, Supplier<String> msgSupplier) {
            lines.add(level + " " + msgSupplier.get());
        }
    }

    @Test
    void oneLinePerIntervalWithTheCountOfTheRest() {
        Lines log = new Lines();
        AtomicLong now = new AtomicLong(1_000);
        RateLimitedLog limited = new RateLimitedLog(log, Duration.ofSeconds(10), now::get);
        limited.warn("refusing an NBD connection: 127.0.0.2 holds 32 connections already, its maximum");
        for (int i = 0; i < 500; i++) {
            now.addAndGet(Duration.ofMillis(10).toNanos());
            limited.warn("refusing an NBD connection: 127.0.0.2 holds 32 connections already, its maximum");
        }
        assertThat(log.lines).hasSize(1);
        now.addAndGet(Duration.ofSeconds(10).toNanos());
        limited.warn("refusing an NBD connection: already 256 connections in all");
        assertThat(log.lines).containsExactly(
                "WARNING refusing an NBD connection: 127.0.0.2 holds 32 connections already, its maximum",
                "WARNING refusing an NBD connection: already 256 connections in all (and 500 more such since the last line)");
    }
}
