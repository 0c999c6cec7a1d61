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
 * A target whose block objects pass a gate: closed, it holds every upload, download and deletion of
 * a block, so that a test can act while a backup, restore or deletion surely runs, or stop the
 * process under it; failing, it refuses block uploads as a broken target would. Everything else
 * passes straight through. A held call that is interrupted fails as interrupted I/O does.
 */
public final class GatedTarget implements BackupTarget {
    private final BackupTarget inner;
    private final Gate gate;

    /** Shared by every target opened while a test runs, across restarts of the process under test. */
    public static final class Gate {
        private volatile CountDownLatch open = new CountDownLatch(0);
        private volatile boolean failing;
        private final AtomicInteger waiting = new AtomicInteger();

        /** From now on block calls wait. */
        public Gate close() {
            open = new CountDownLatch(1);
            return this;
        }

        /** Lets every waiting and future call through. */
        public void open() {
            open.countDown();
        }

        /** Whether block uploads fail with an I/O error. */
        public void failing(boolean fail) {
            failing = fail;
        }

        /** Calls waiting at the gate now. */
        public int waiting() {
            return waiting.get();
        }

        /** Waits until at least {@code calls} calls wait at the gate. */
        public void awaitWaiting(int calls) throws InterruptedException {
            for (int i = 0; i < 1000 && waiting.get() < calls; i++) {
                Thread.sleep(10);
            }
            if (waiting.get() < calls) {
                throw new AssertionError("only " + waiting.get() + " calls reached the gate, not " + calls);
            }
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

    private static boolean isBlock(String key) {
        return key.contains("/blocks/");
    }

    @Override
    public String url() {
        return inner.url();
    }

    @Override
    public Optional<byte[]> read(String key, long maxBytes) throws IOException {
        if (isBlock(key)) {
            gate.pass();
        }
        return inner.read(key, maxBytes);
    }

    @Override
    public void write(String key, byte[] data) throws IOException {
        if (isBlock(key)) {
            gate.pass();
            if (gate.failing) {
                throw new IOException("injected failure: the target refused to store block " + key);
            }
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
        if (isBlock(key)) {
            gate.pass();
        }
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
