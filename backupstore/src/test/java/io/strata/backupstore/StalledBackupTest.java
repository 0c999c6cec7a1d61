package io.strata.backupstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.backupstore.BackupStore.BackupRequest;
import io.strata.backupstore.format.BackupConfig;
import io.strata.backupstore.format.Compression;
import io.strata.backupstore.format.StoreLayout;
import io.strata.backupstore.lock.BackupLock;
import io.strata.backupstore.lock.LockJournal;
import io.strata.backupstore.lock.LockTiming;
import io.strata.backupstore.target.BackupTarget;
import io.strata.backupstore.target.MemoryTarget;
import io.strata.domain.StrataException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A backup that stalls while another process deletes an older backup never commits: neither when
 * the stall let its lock expire (the deletion then removes its in-progress cfg and collects the
 * blocks it uploaded), nor when blocks it references vanished behind the locks' back. The holder's
 * monotonic clock is a counter the test moves, so a 160 s stall takes no time.
 */
class StalledBackupTest {
    private static final int MiB = 1 << 20;
    private static final String VOLUME = "pvc-1";
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final MemorySnapshots snapshots = new MemorySnapshots();
    private final MemoryTarget target = new MemoryTarget();
    private final AtomicLong nanos = new AtomicLong();
    private final BackupStore backups = new BackupStore(target, BackupStore.Locks.of(target,
            new LockTiming(BackupLock.EXPIRY, Duration.ZERO, Clock.systemUTC(), nanos::get), LockJournal.NONE, scheduler),
            Clock.systemUTC());
    /** Another process: the system's clocks, Longhorn's expiry. */
    private final BackupStore deleter = new BackupStore(target, BackupStore.Locks.of(target,
            LockTiming.longhorn(Clock.systemUTC(), Duration.ZERO), LockJournal.NONE, scheduler), Clock.systemUTC());

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    private BackupConfig backup(String snapshot, BackupSource source) throws IOException {
        return backups.backup(new BackupRequest(VOLUME, Optional.of("backup-" + snapshot), source, false, Compression.LZ4,
                2 * MiB, Map.of(), 1), new BackupProgress());
    }

    private byte[] restore(String backup, int size) throws IOException {
        MemorySnapshots.Sink sink = new MemorySnapshots.Sink(size);
        deleter.restore(VOLUME, backup, sink, 2, new BackupProgress());
        return sink.bytes;
    }

    /** {@code source}, which runs {@code stall} once, when the backup reads its {@code at}-th block. */
    private static BackupSource stallingAt(BackupSource source, int at, IoAction stall) {
        AtomicInteger reads = new AtomicInteger();
        AtomicBoolean stalled = new AtomicBoolean();
        return new BackupSource() {
            @Override public String snapshotName() { return source.snapshotName(); }
            @Override public long size() { return source.size(); }
            @Override public boolean hasSnapshot(String other) { return source.hasSnapshot(other); }
            @Override public List<long[]> changedRanges(Optional<String> since) throws IOException { return source.changedRanges(since); }

            @Override
            public void read(ByteBuffer dst, long offset) throws IOException {
                if (reads.incrementAndGet() == at && stalled.compareAndSet(false, true)) {
                    stall.run();
                }
                source.read(dst, offset);
            }
        };
    }

    private interface IoAction {
        void run() throws IOException;
    }

    @Test
    void aBackupStalledPastItsLockExpiryWhileAnOlderBackupIsDeletedDoesNotCommit() throws IOException {
        int size = 32 * MiB;
        byte[] content = new byte[size];
        new Random(11).nextBytes(content);
        snapshots.take("s1", content);
        BackupConfig old = backup("s1", snapshots.source("s1"));
        byte[] kept = content.clone();
        for (int i = 0; i < size; i += 4 * MiB) {
            kept[i] ^= 1; // every other block changes
        }
        snapshots.take("s2", kept);
        BackupConfig keep = backup("s2", snapshots.source("s2"));
        byte[] latest = new byte[size];
        new Random(12).nextBytes(latest); // every block new: all of them uploaded by the stalled backup
        snapshots.take("s3", latest);

        BackupSource stalling = stallingAt(snapshots.source("s3"), 6, () -> {
            // 160 s pass: the holder's clock moves, and for everyone else its lock file was written that long ago
            nanos.addAndGet(Duration.ofSeconds(160).toNanos());
            Instant longAgo = Instant.now().minusSeconds(160);
            for (String lock : target.list(StoreLayout.locksDirectory(VOLUME))) {
                target.setModified(StoreLayout.locksDirectory(VOLUME) + "/" + lock, longAgo);
            }
            assertThat(deleter.delete(VOLUME, old.name())).as("the deletion took the volume and collected").isPositive();
            assertThat(target.read(StoreLayout.backupConfig(VOLUME, "backup-s3"))).as("it removed the stalled cfg").isEmpty();
            // on resume a refresh would rewrite the lock file: by the store's look, the lock holds again
            for (String lock : target.list(StoreLayout.locksDirectory(VOLUME))) {
                String key = StoreLayout.locksDirectory(VOLUME) + "/" + lock;
                target.write(key, target.read(key).orElseThrow());
            }
        });
        assertThatThrownBy(() -> backup("s3", stalling)).isExactlyInstanceOf(StrataException.Unavailable.class)
                .hasMessageContaining("lost the backupstore lock lock-")
                .hasMessageContaining("was not rewritten for 160.0 s")
                .hasMessageEndingWith("is not committed: retry it");

        assertThat(target.read(StoreLayout.backupConfig(VOLUME, "backup-s3"))).as("no cfg, complete or not").isEmpty();
        assertThat(backups.backups(VOLUME)).containsExactly(keep.name());
        assertThat(restore(keep.name(), size)).as("the kept backup restores byte for byte").isEqualTo(kept);
        assertThat(target.list(StoreLayout.locksDirectory(VOLUME))).as("every lock released").isEmpty();

        nanos.addAndGet(1); // a retry takes a new lock and succeeds
        BackupConfig retried = backup("s3", snapshots.source("s3"));
        assertThat(restore(retried.name(), size)).isEqualTo(latest);
    }

    @Test
    void aBlockRemovedBehindTheLocksBackFailsTheCommitInsteadOfWritingACfgThatCannotRestore() throws IOException {
        int size = 16 * MiB;
        byte[] content = new byte[size];
        new Random(13).nextBytes(content);
        snapshots.take("s1", content);
        BackupConfig base = backup("s1", snapshots.source("s1"));
        byte[] next = content.clone();
        next[0] ^= 1; // only the first block changes: the rest comes from the base's map
        snapshots.take("s2", next);
        String unchanged = base.blocks().get(3).checksum();

        BackupSource stalling = stallingAt(snapshots.source("s2"), 1,
                () -> target.delete(StoreLayout.block(VOLUME, unchanged))); // a hand in the store, no lock taken
        assertThatThrownBy(() -> backup("s2", stalling)).isExactlyInstanceOf(StrataException.Unavailable.class)
                .hasMessageStartingWith("1 of the blocks that backup 'backup-s2' of volume 'pvc-1' references are missing"
                        + " from the backup target (block " + unchanged + " at offset " + 6 * MiB + ", for one)")
                .hasMessageEndingWith("make a full backup, which uploads every block again");
        assertThat(target.read(StoreLayout.backupConfig(VOLUME, "backup-s2"))).as("not committed").isEmpty();

        BackupConfig full = backups.backup(new BackupRequest(VOLUME, Optional.of("backup-s2"), snapshots.source("s2"), true,
                Compression.LZ4, 2 * MiB, Map.of(), 1), new BackupProgress());
        assertThat(restore(full.name(), size)).as("a full backup uploads the block again").isEqualTo(next);
        assertThat(restore(base.name(), size)).as("and repairs the base").isEqualTo(content);
    }

    /** {@code inner}, running {@code hook} after each listing of {@code prefix}. */
    private static BackupTarget listingHook(BackupTarget inner, String prefix, IoAction hook) {
        return new BackupTarget() {
            @Override public String url() { return inner.url(); }
            @Override public Optional<byte[]> read(String key, long maxBytes) throws IOException { return inner.read(key, maxBytes); }
            @Override public void write(String key, byte[] data) throws IOException { inner.write(key, data); }
            @Override public Optional<Instant> modified(String key) throws IOException { return inner.modified(key); }
            @Override public void delete(String key) throws IOException { inner.delete(key); }
            @Override public void deleteAll(String p) throws IOException { inner.deleteAll(p); }

            @Override
            public List<String> list(String p) throws IOException {
                List<String> names = inner.list(p);
                if (p.equals(prefix)) {
                    hook.run();
                }
                return names;
            }
        };
    }

    @Test
    void aDeletionStalledPastItsLockExpiryRemovesNoBlock() throws IOException {
        int size = 8 * MiB;
        byte[] content = new byte[size];
        new Random(14).nextBytes(content);
        snapshots.take("s1", content);
        BackupConfig first = backup("s1", snapshots.source("s1"));
        byte[] next = new byte[size];
        new Random(15).nextBytes(next);
        snapshots.take("s2", next);
        BackupConfig second = backup("s2", snapshots.source("s2"));
        java.util.TreeSet<String> before = backups.blocks(VOLUME);

        AtomicLong deleterNanos = new AtomicLong();
        AtomicBoolean stalled = new AtomicBoolean();
        BackupTarget stalling = listingHook(target, StoreLayout.blocksDirectory(VOLUME), () -> {
            if (stalled.compareAndSet(false, true)) {
                deleterNanos.addAndGet(Duration.ofSeconds(130).toNanos()); // past 4/5 of the expiry, while it scans the pool
            }
        });
        BackupStore stalledDeleter = new BackupStore(stalling, BackupStore.Locks.of(stalling,
                new LockTiming(BackupLock.EXPIRY, Duration.ZERO, Clock.systemUTC(), deleterNanos::get), LockJournal.NONE, scheduler),
                Clock.systemUTC());
        assertThatThrownBy(() -> stalledDeleter.delete(VOLUME, first.name())).isExactlyInstanceOf(StrataException.Unavailable.class)
                .hasMessageContaining("was not rewritten for 130.0 s");
        assertThat(backups.blocks(VOLUME)).as("no block removed by a deletion that may no longer hold the volume").isEqualTo(before);
        assertThat(restore(second.name(), size)).isEqualTo(next);
        assertThat(deleter.delete(VOLUME, first.name())).as("its retry collects").isPositive();
    }
}
