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
}
