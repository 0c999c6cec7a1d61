package io.strata.backupstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.backupstore.BackupStore.BackupRequest;
import io.strata.backupstore.format.Compression;
import io.strata.backupstore.lock.BackupLock;
import io.strata.backupstore.target.BackupTarget;
import io.strata.backupstore.target.MemoryTarget;
import io.strata.domain.StrataException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A cancel reaches a restore or backup whose call to the target never returns (a store that hangs, a hard NFS mount). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CancelWhileBlockedTest {
    private static final int MiB = 1 << 20;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final MemoryTarget memory = new MemoryTarget();
    private final HangingTarget target = new HangingTarget(memory);
    private final MemorySnapshots snapshots = new MemorySnapshots();
    private final BackupStore store = new BackupStore(target,
            (v, t) -> BackupLock.acquire(target, v, t, Clock.systemUTC(), Duration.ZERO, scheduler), Clock.systemUTC());

    @AfterEach
    void stop() {
        target.release.countDown();
        scheduler.shutdownNow();
    }

    @Test
    void aRestoreHangingInABlockReadStopsWhenCancelled() throws Exception {
        byte[] data = new byte[4 * MiB];
        new java.util.Random(1).nextBytes(data);
        snapshots.take("one", data);
        store.backup(new BackupRequest("v1", Optional.of("one"), snapshots.source("one"), false, Compression.LZ4, 2 * MiB,
                Map.of(), 2), new BackupProgress());

        target.hangBlocks = true;
        BackupProgress progress = new BackupProgress();
        CompletableFuture<Void> restore = CompletableFuture.runAsync(() -> {
            try {
                store.restore("v1", "one", new MemorySnapshots.Sink(data.length), 2, progress);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        target.awaitHanging();
        progress.cancel("the volume is being deleted");
        assertThatThrownBy(() -> restore.get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(StrataException.FailedPrecondition.class).hasMessageContaining("the volume is being deleted");
        assertThat(progress.state()).isEqualTo(BackupProgress.State.ERROR);
    }

    @Test
    void aBackupHangingInABlockUploadStopsWhenCancelled() throws Exception {
        byte[] data = new byte[4 * MiB];
        new java.util.Random(2).nextBytes(data);
        snapshots.take("one", data);
        target.hangBlocks = true;
        BackupProgress progress = new BackupProgress();
        CompletableFuture<Void> backup = CompletableFuture.runAsync(() -> {
            try {
                store.backup(new BackupRequest("v1", Optional.of("one"), snapshots.source("one"), false, Compression.LZ4, 2 * MiB,
                        Map.of(), 2), progress);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        target.awaitHanging();
        progress.cancel("asked by the user");
        assertThatThrownBy(() -> backup.get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(StrataException.FailedPrecondition.class).hasMessageContaining("asked by the user");
    }

    @Test
    void aBackupWaitingForRivalsOfItsLockStopsWhenCancelledAndLeavesNoLock() throws Exception {
        byte[] data = new byte[2 * MiB];
        new java.util.Random(3).nextBytes(data);
        snapshots.take("one", data);
        // a minute's settle, as STRATA_BACKUP_LOCK_SETTLE=60 gives: without the cancel reaching it, the test times out
        BackupStore slow = new BackupStore(memory,
                (v, t) -> BackupLock.acquire(memory, v, t, Clock.systemUTC(), Duration.ofSeconds(60), scheduler), Clock.systemUTC());
        BackupProgress progress = new BackupProgress();
        CompletableFuture<Void> backup = CompletableFuture.runAsync(() -> {
            try {
                slow.backup(new BackupRequest("v1", Optional.of("one"), snapshots.source("one"), false, Compression.LZ4, 2 * MiB,
                        Map.of(), 2), progress);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        String locks = io.strata.backupstore.format.StoreLayout.locksDirectory("v1");
        for (int i = 0; i < 1000 && memory.list(locks).isEmpty(); i++) {
            Thread.sleep(10);
        }
        assertThat(memory.list(locks)).as("the backup wrote its lock and waits for rivals").hasSize(1);
        progress.cancel("the command was interrupted");
        assertThatThrownBy(() -> backup.get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(StrataException.FailedPrecondition.class).hasMessageContaining("the command was interrupted");
        assertThat(memory.list(locks)).as("its lock is removed").isEmpty();
        assertThat(memory.list(io.strata.backupstore.format.StoreLayout.backupsDirectory("v1"))).as("no backup cfg").isEmpty();
    }

    /** Blocks' reads, writes and lookups wait until released or interrupted, as a hung store does. */
    private static final class HangingTarget implements BackupTarget {
        private final BackupTarget inner;
        volatile boolean hangBlocks;
        final CountDownLatch release = new CountDownLatch(1);
        private final AtomicInteger hanging = new AtomicInteger();

        HangingTarget(BackupTarget inner) {
            this.inner = inner;
        }

        private void maybeHang(String key) throws InterruptedIOException {
            if (!hangBlocks || !key.contains("/blocks/")) {
                return;
            }
            hanging.incrementAndGet();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while the store did not answer");
            } finally {
                hanging.decrementAndGet();
            }
        }

        void awaitHanging() throws InterruptedException {
            for (int i = 0; i < 1000 && hanging.get() == 0; i++) {
                Thread.sleep(10);
            }
            assertThat(hanging.get()).as("a call hangs in the store").isPositive();
        }

        @Override public String url() { return inner.url(); }

        @Override
        public Optional<byte[]> read(String key, long maxBytes) throws IOException {
            maybeHang(key);
            return inner.read(key, maxBytes);
        }

        @Override
        public void write(String key, byte[] data) throws IOException {
            maybeHang(key);
            inner.write(key, data);
        }

        @Override public List<String> list(String prefix) throws IOException { return inner.list(prefix); }

        @Override
        public Optional<Instant> modified(String key) throws IOException {
            return inner.modified(key);
        }

        @Override public void delete(String key) throws IOException { inner.delete(key); }

        @Override public void deleteAll(String prefix) throws IOException { inner.deleteAll(prefix); }
    }
}
