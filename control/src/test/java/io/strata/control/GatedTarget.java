package io.strata.control;

import io.strata.backupstore.target.BackupTarget;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A target that holds block uploads and downloads at a gate, so that a test can look at a backup or
 * a restore while it surely runs, or stop the process under it. Everything else passes straight
 * through. A held call that is interrupted fails as an interrupted I/O call would.
 */
public final class GatedTarget implements BackupTarget {
    private final BackupTarget inner;
    private final Gate gate;

    /** Shared by every target opened while a test runs. */
    public static final class Gate {
        private volatile CountDownLatch open = new CountDownLatch(0);
        private final AtomicInteger waiting = new AtomicInteger();

        /** From now on block uploads and downloads wait. */
        public Gate close() {
            open = new CountDownLatch(1);
            return this;
        }

        /** Lets every waiting and future call through. */
        public void open() {
            open.countDown();
        }

        /** Calls waiting at the gate now. */
        public int waiting() {
            return waiting.get();
        }

        void pass() throws InterruptedIOException {
            CountDownLatch latch = open;
            waiting.incrementAndGet();
            try {
                latch.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted at the gate");
            } finally {
                waiting.decrementAndGet();
            }
        }
    }

    public GatedTarget(BackupTarget inner, Gate gate) {
        this.inner = inner;
        this.gate = gate;
    }

    @Override
    public String url() {
        return inner.url();
    }

    @Override
    public Optional<byte[]> read(String key) throws IOException {
        if (key.contains("/blocks/")) {
            gate.pass();
        }
        return inner.read(key);
    }

    @Override
    public void write(String key, byte[] data) throws IOException {
        if (key.contains("/blocks/")) {
            gate.pass();
        }
        inner.write(key, data);
    }

    @Override
    public List<String> list(String prefix) throws IOException {
        return inner.list(prefix);
    }

    @Override
    public Optional<Instant> modified(String key) throws IOException {
        return inner.modified(key);
    }

    @Override
    public void delete(String key) throws IOException {
        inner.delete(key);
    }

    @Override
    public void deleteAll(String prefix) throws IOException {
        inner.deleteAll(prefix);
    }

    @Override
    public void close() throws IOException {
        inner.close();
    }
}
