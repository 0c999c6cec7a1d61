package io.strata.backupstore.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.backupstore.format.StoreLayout;
import io.strata.backupstore.lock.BackupLock.Type;
import io.strata.backupstore.target.BackupTarget;
import io.strata.backupstore.target.DirectoryTarget;
import io.strata.backupstore.target.MemoryTarget;
import io.strata.domain.StrataException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackupLockTest {
    private static final String VOLUME = "pvc-1";
    private static final Duration SETTLE = Duration.ofMillis(20);
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final Clock clock = Clock.systemUTC();

    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    private BackupLock take(BackupTarget target, Type type) throws IOException {
        return BackupLock.acquire(target, VOLUME, type, clock, SETTLE, scheduler);
    }

    @Test
    void theLockFileIsLonghornsJson() throws IOException {
        MemoryTarget target = new MemoryTarget();
        try (BackupLock lock = take(target, Type.DELETION)) {
            assertThat(lock.key()).startsWith(StoreLayout.locksDirectory(VOLUME) + "/lock-").endsWith(".lck");
            JsonNode n = new ObjectMapper().readTree(target.read(lock.key()).orElseThrow());
            assertThat(n.get("Name").asText()).isEqualTo(lock.key().substring(lock.key().lastIndexOf('/') + 1, lock.key().length() - 4));
            assertThat(n.get("Type").asInt()).isEqualTo(2);
            assertThat(n.get("Acquired").asBoolean()).isTrue();
        }
        assertThat(target.list(StoreLayout.locksDirectory(VOLUME))).as("released: the file is gone").isEmpty();
    }

    @Test
    void backupsAndRestoresShareButDeletionExcludesThem() throws IOException {
        MemoryTarget target = new MemoryTarget();
        try (BackupLock backup = take(target, Type.BACKUP); BackupLock restore = take(target, Type.RESTORE)) {
            assertThat(backup.key()).as("two locks of one type both hold").isNotEqualTo(restore.key());
            assertThatThrownBy(() -> take(target, Type.DELETION)).isExactlyInstanceOf(StrataException.Unavailable.class)
                    .hasMessageStartingWith("backup volume 'pvc-1' is locked by lock-")
                    .hasMessageEndingWith("(a backup or restore); retry when it is done");
            assertThat(target.list(StoreLayout.locksDirectory(VOLUME))).as("the failed attempt removed its file").hasSize(2);
        }
        try (BackupLock deletion = take(target, Type.DELETION)) {
            assertThat(target.read(deletion.key())).isPresent();
            assertThatThrownBy(() -> take(target, Type.BACKUP)).isExactlyInstanceOf(StrataException.Unavailable.class)
                    .hasMessageEndingWith("(a deletion); retry when it is done");
        }
    }

    @Test
    void anExpiredLockIsIgnored() throws IOException {
        MemoryTarget target = new MemoryTarget();
        BackupLock stale = take(target, Type.BACKUP);
        target.setModified(stale.key(), Instant.now().minus(BackupLock.EXPIRY).minusSeconds(1));
        try (BackupLock deletion = take(target, Type.DELETION)) {
            assertThat(deletion.key()).isNotEqualTo(stale.key());
        }
        stale.close();
    }

    @Test
    void twoProcessesSharingADirectoryTargetExcludeEachOther() throws IOException {
        // two targets on one directory: two processes as far as the protocol can tell
        DirectoryTarget first = new DirectoryTarget("file://" + dir, dir);
        DirectoryTarget second = new DirectoryTarget("file://" + dir, dir);
        try (BackupLock backup = take(first, Type.BACKUP)) {
            assertThat(second.read(backup.key())).as("the other process sees the lock").isPresent();
            assertThatThrownBy(() -> take(second, Type.DELETION)).isExactlyInstanceOf(StrataException.Unavailable.class);
        }
        take(second, Type.DELETION).close();
    }

    /** A lock whose holder's monotonic clock is {@code nanos}, expiring after 1 s: refreshed every 400 ms, trusted for 800 ms. */
    private BackupLock takeWithClock(BackupTarget target, Type type, AtomicLong nanos) throws IOException {
        LockTiming timing = new LockTiming(Duration.ofSeconds(1), SETTLE, clock, nanos::get);
        return BackupLock.acquire(target, VOLUME, type, timing, LockJournal.NONE, scheduler);
    }

    @Test
    void aHolderThatWentTooLongWithoutARewriteLosesTheLockAndNeverRewritesItAgain() throws Exception {
        MemoryTarget target = new MemoryTarget();
        AtomicLong nanos = new AtomicLong();
        try (BackupLock lock = takeWithClock(target, Type.BACKUP, nanos)) {
            Instant old = Instant.parse("2026-01-01T00:00:00Z");
            target.setModified(lock.key(), old);
            Thread.sleep(700); // a refresh or more, with no time passing for the holder
            assertThat(target.modified(lock.key()).orElseThrow()).as("refreshed as usual").isAfter(old);
            lock.checkHeld();

            nanos.addAndGet(Duration.ofMillis(800).toNanos()); // a stall as long as the trust window
            target.setModified(lock.key(), old);
            Thread.sleep(700);
            assertThat(target.modified(lock.key()).orElseThrow()).as("a lost lock is not brought back").isEqualTo(old);
            assertThatThrownBy(lock::checkHeld).isExactlyInstanceOf(StrataException.Unavailable.class)
                    .hasMessageStartingWith("lost the backupstore lock " + lock.name() + " of backup volume 'pvc-1': it was not"
                            + " rewritten for 0.8 s (the process or the backup target stalled), while rival processes count it"
                            + " expired after 1 s");
            nanos.set(0); // even were the clock to say otherwise, lost is lost
            assertThatThrownBy(lock::confirmHeld).isExactlyInstanceOf(StrataException.Unavailable.class);
        }
        assertThat(target.list(StoreLayout.locksDirectory(VOLUME))).as("released all the same").isEmpty();
    }

    @Test
    void confirmingRereadsTheLockFiles() throws IOException {
        MemoryTarget target = new MemoryTarget();
        AtomicLong nanos = new AtomicLong();
        try (BackupLock lock = takeWithClock(target, Type.BACKUP, nanos)) {
            lock.confirmHeld();
            String rival = StoreLayout.lock(VOLUME, "lock-00000000000000dd");
            target.write(rival, "{\"Name\":\"lock-00000000000000dd\",\"Type\":2,\"Acquired\":false}".getBytes());
            lock.confirmHeld(); // a deletion's attempt that will see this lock and give up
            target.write(rival, "{\"Name\":\"lock-00000000000000dd\",\"Type\":2,\"Acquired\":true}".getBytes());
            assertThatThrownBy(lock::confirmHeld).isExactlyInstanceOf(StrataException.Unavailable.class)
                    .hasMessageContaining("lock lock-00000000000000dd (a deletion) took the volume meanwhile");
            target.delete(rival);
        }
        try (BackupLock lock = takeWithClock(target, Type.RESTORE, nanos)) {
            target.delete(lock.key());
            assertThatThrownBy(lock::confirmHeld).isExactlyInstanceOf(StrataException.Unavailable.class)
                    .hasMessageContaining("its file " + lock.key() + " was removed from the backup target by another process");
        }
    }

    @Test
    void aRivalCountsALockExpiredOnlyByLonghornsRule() throws IOException {
        MemoryTarget target = new MemoryTarget();
        String lockName = "lock-00000000000000ee";
        String key = StoreLayout.lock(VOLUME, lockName);
        target.write(key, "{\"Name\":\"lock-00000000000000ee\",\"Type\":1,\"Acquired\":true}".getBytes());
        Instant now = Instant.parse("2026-06-01T00:00:00Z");
        Clock at = Clock.fixed(now, java.time.ZoneOffset.UTC);
        target.setModified(key, now.minus(BackupLock.EXPIRY));
        assertThat(BackupLock.isLive(target, VOLUME, lockName, at, BackupLock.EXPIRY)).as("exactly 150 s old: live").isTrue();
        target.setModified(key, now.minus(BackupLock.EXPIRY).minusMillis(1));
        assertThat(BackupLock.isLive(target, VOLUME, lockName, at, BackupLock.EXPIRY)).as("older: expired").isFalse();
    }

    @Test
    void anAttemptThatStalledBeforeItsLastWriteFailsInsteadOfHoldingBesideARival() {
        MemoryTarget target = new MemoryTarget();
        AtomicLong nanos = new AtomicLong();
        // each reading of the holder's clock is 0.5 s later: the attempt spans 1 s, past the 0.8 s a 1 s lock is trusted
        LockTiming timing = new LockTiming(Duration.ofSeconds(1), SETTLE, clock, () -> nanos.getAndAdd(500_000_000L));
        assertThatThrownBy(() -> BackupLock.acquire(target, VOLUME, Type.BACKUP, timing, LockJournal.NONE, scheduler))
                .isExactlyInstanceOf(StrataException.Unavailable.class)
                .hasMessage("taking the lock of backup volume 'pvc-1' stalled for 1 s, long enough for a rival to take the"
                        + " volume meanwhile; retry");
        assertThat(target.sizes()).as("its file is removed").isEmpty();
    }
}
