package io.strata.backupstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class BackgroundFlushTest {
    /** A sink that counts flushes; each flush may be held until released. */
    private static final class Sink implements RestoreSink {
        final AtomicInteger flushes = new AtomicInteger();
        final AtomicInteger concurrent = new AtomicInteger();
        final AtomicInteger mostConcurrent = new AtomicInteger();
        volatile CountDownLatch hold = new CountDownLatch(0);
        volatile IOException failWith;

        @Override
        public long size() {
            return 1L << 40;
        }

        @Override
        public void write(ByteBuffer src, long offset) {
            src.position(src.limit());
        }

        @Override
        public void flush() throws IOException {
            mostConcurrent.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
            try {
                if (!hold.await(10, TimeUnit.SECONDS)) {
                    throw new IOException("held too long");
                }
                if (failWith != null) {
                    throw failWith;
                }
                flushes.incrementAndGet();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                concurrent.decrementAndGet();
            }
        }
    }

    @Test
    void flushesEveryIntervalOneAtATime() throws IOException {
        Sink sink = new Sink();
        BackgroundFlush flusher = new BackgroundFlush(sink, 100);
        for (int i = 0; i < 99; i++) {
            flusher.wrote(1);
        }
        flusher.finish();
        assertThat(sink.flushes).as("not yet an interval's worth").hasValue(0);

        flusher.wrote(1);
        flusher.finish();
        assertThat(sink.flushes).hasValue(1);

        sink.hold = new CountDownLatch(1);
        flusher.wrote(100); // starts a flush, held
        for (int i = 0; i < 10; i++) {
            flusher.wrote(100); // no second flush while one runs
        }
        sink.hold.countDown();
        flusher.finish();
        assertThat(sink.flushes).hasValue(2);
        assertThat(sink.mostConcurrent).hasValue(1);
    }

    @Test
    void aFailedFlushFailsTheNextWriteAndTheFinish() throws IOException {
        Sink sink = new Sink();
        IOException full = new IOException("no space left on device");
        sink.failWith = full;
        BackgroundFlush flusher = new BackgroundFlush(sink, 10);
        flusher.wrote(10);
        assertThatThrownBy(flusher::finish).isSameAs(full);
        assertThatThrownBy(() -> flusher.wrote(1)).isSameAs(full);
    }
}
