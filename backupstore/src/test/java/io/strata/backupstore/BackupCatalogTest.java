package io.strata.backupstore;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.backupstore.BackupStore.BackupRequest;
import io.strata.backupstore.format.Compression;
import io.strata.backupstore.format.StoreLayout;
import io.strata.backupstore.lock.BackupLock;
import io.strata.backupstore.target.MemoryTarget;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BackupCatalogTest {
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final MemoryTarget target = new MemoryTarget();
    private final BackupStore store = new BackupStore(target,
            (v, t) -> BackupLock.acquire(target, v, t, Clock.systemUTC(), Duration.ZERO, scheduler), Clock.systemUTC());
    private final MemorySnapshots snapshots = new MemorySnapshots();

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    @Test
    void listsEveryBackupVolumeByWalkingTheHashLevels() throws IOException {
        assertThat(store.catalog().volumes()).isEmpty();
        byte[] content = new byte[1 << 20];
        content[5] = 1;
        snapshots.take("s1", content);
        for (String volume : new String[] {"pvc-b", "pvc-a", "db.0"}) {
            store.backup(new BackupRequest(volume, Optional.empty(), snapshots.source("s1"), false, Compression.LZ4, 2 << 20,
                    Map.of(), 1), new BackupProgress());
        }
        // things that are not backup volumes: a misplaced directory and a stray file
        target.write(StoreLayout.VOLUMES + "/00/00/pvc-a/volume.cfg", new byte[] {1});
        target.write(StoreLayout.VOLUMES + "/README", new byte[] {1});
        assertThat(store.catalog().volumes()).containsExactly("db.0", "pvc-a", "pvc-b");
    }
}
