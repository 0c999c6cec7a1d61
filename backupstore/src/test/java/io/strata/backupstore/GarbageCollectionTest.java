package io.strata.backupstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.backupstore.BackupStore.BackupRequest;
import io.strata.backupstore.format.BackupConfig;
import io.strata.backupstore.format.Compression;
import io.strata.backupstore.format.ConfigCodec;
import io.strata.backupstore.format.StoreLayout;
import io.strata.backupstore.lock.BackupLock;
import io.strata.backupstore.target.MemoryTarget;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Garbage collection never removes a block a backup references, and leaves no orphan once nothing is
 * in progress; when the scan cannot be sure, it removes nothing.
 */
class GarbageCollectionTest {
    private static final int MiB = 1 << 20;
    private static final String VOLUME = "pvc-1";
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final MemorySnapshots snapshots = new MemorySnapshots();
    private final MemoryTarget target = new MemoryTarget();
    /** A clock a second further on at each reading, so backups' times differ and sort. */
    private final AtomicLong seconds = new AtomicLong();
    private final Clock clock = new Clock() {
        @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(java.time.ZoneId zone) { return this; }
        @Override public Instant instant() { return Instant.parse("2026-11-22T00:00:00Z").plusSeconds(seconds.incrementAndGet()); }
    };
    private final BackupStore store = new BackupStore(target,
            (v, t) -> BackupLock.acquire(target, v, t, Clock.systemUTC(), Duration.ZERO, scheduler), clock);

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    private BackupConfig backup(String snapshot, byte[] content) throws IOException {
        snapshots.take(snapshot, content);
        return store.backup(new BackupRequest(VOLUME, Optional.empty(), snapshots.source(snapshot), false, Compression.LZ4,
                2 * MiB, Map.of(), 2), new BackupProgress());
    }

    private byte[] restore(String backup, int size) throws IOException {
        MemorySnapshots.Sink sink = new MemorySnapshots.Sink(size);
        store.restore(VOLUME, backup, sink, 2, new BackupProgress());
        return sink.bytes;
    }

    private Set<String> referenced() throws IOException {
        Set<String> out = new HashSet<>();
        for (String name : store.backups(VOLUME)) {
            store.backupConfig(VOLUME, name).orElseThrow().blocks().forEach(b -> out.add(b.checksum()));
        }
        return out;
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3})
    void randomBackupsAndDeletionsNeverLoseAReferencedBlockNorKeepAnOrphan(long seed) throws IOException {
        Random random = new Random(seed);
        int size = 16 * MiB;
        byte[] content = new byte[size];
        Map<String, byte[]> alive = new LinkedHashMap<>();
        for (int step = 0; step < 24; step++) {
            if (alive.isEmpty() || random.nextInt(3) > 0) {
                for (int i = 0; i < 1 + random.nextInt(3); i++) {
                    byte[] patch = new byte[64 * 1024];
                    random.nextBytes(patch);
                    System.arraycopy(patch, 0, content, random.nextInt(size - patch.length), patch.length);
                }
                BackupConfig cfg = backup("s" + step, content);
                alive.put(cfg.name(), content.clone());
            } else {
                List<String> names = new ArrayList<>(alive.keySet());
                String victim = names.get(random.nextInt(names.size()));
                store.delete(VOLUME, victim);
                alive.remove(victim);
                assertThat(store.blocks(VOLUME)).as("no orphan after deleting " + victim).isEqualTo(new java.util.TreeSet<>(referenced()));
                for (Map.Entry<String, byte[]> backup : alive.entrySet()) { // a deletion must leave every other backup whole
                    assertThat(restore(backup.getKey(), size)).as("backup %s after step %d", backup.getKey(), step).isEqualTo(backup.getValue());
                }
            }
            assertThat(store.blocks(VOLUME)).as("every referenced block is stored after step %d", step).containsAll(referenced());
        }
        assertThat(store.volumeConfig(VOLUME).orElseThrow().blockCount()).isEqualTo(store.blocks(VOLUME).size());
    }

    @Test
    void nothingIsCollectedWhileABackupIsInProgressOrACfgIsUnreadable() throws IOException {
        byte[] content = new byte[8 * MiB];
        new Random(4).nextBytes(content);
        BackupConfig first = backup("s1", content);
        content[0] ^= 1;
        BackupConfig second = backup("s2", content);
        Set<String> before = store.blocks(VOLUME);

        String inProgress = StoreLayout.backupConfig(VOLUME, "backup-running");
        target.write(inProgress, ConfigCodec.encode(new BackupConfig("backup-running", VOLUME, "", "", "", 0, null, null,
                false, "lz4", 0, 0, null, null)));
        assertThat(store.delete(VOLUME, first.name())).isZero();
        assertThat(store.blocks(VOLUME)).as("in progress: nothing removed").isEqualTo(before);

        target.delete(inProgress);
        String broken = StoreLayout.backupConfig(VOLUME, "backup-broken");
        target.write(broken, "{not json".getBytes());
        content[1] ^= 1;
        BackupConfig third = backup("s3", content);
        assertThat(store.delete(VOLUME, second.name())).as("unreadable cfg: nothing removed").isZero();

        target.delete(broken);
        assertThat(store.delete(VOLUME, third.name())).as("now it is safe").isPositive();
        assertThat(store.blocks(VOLUME)).isEmpty();
    }

    @Test
    void aBackupAbandonedInProgressIsClearedOnceItsLockIsGoneButNotWhileItIsHeld() throws IOException {
        byte[] content = new byte[8 * MiB];
        new Random(7).nextBytes(content);
        BackupConfig first = backup("s1", content);
        content[0] ^= 1;
        backup("s2", content);
        String running = StoreLayout.backupConfig(VOLUME, "backup-running");
        String lockName = "lock-00000000000000aa";
        target.write(StoreLayout.lock(VOLUME, lockName), "{\"Name\":\"lock-00000000000000aa\",\"Type\":1,\"Acquired\":true}".getBytes());
        target.write(running, ConfigCodec.encode(new BackupConfig("backup-running", VOLUME, "", "", "", 0, null,
                Map.of(BackupStore.LOCK_PARAMETER, lockName), false, "lz4", 0, 0, null, null)));
        Set<String> before = store.blocks(VOLUME);
        assertThatThrownBy(() -> store.delete(VOLUME, first.name())).as("the backup's lock still holds the volume")
                .isInstanceOf(io.strata.domain.StrataException.Unavailable.class);
        assertThat(store.blocks(VOLUME)).isEqualTo(before);
        assertThat(target.read(running)).isPresent();

        target.delete(StoreLayout.lock(VOLUME, lockName)); // its process died, or released it after failing
        assertThat(store.delete(VOLUME, first.name())).as("the abandoned cfg no longer holds off collection").isPositive();
        assertThat(target.read(running)).isEmpty();
        assertThat(store.blocks(VOLUME)).isEqualTo(new java.util.TreeSet<>(referenced()));
    }

    @Test
    void deletingTheLastBackupMakesTheNewestRemainingOneTheBase() throws IOException {
        byte[] content = new byte[4 * MiB];
        new Random(5).nextBytes(content);
        BackupConfig a = backup("s1", content);
        content[7] ^= 1;
        BackupConfig b = backup("s2", content);
        content[9] ^= 1;
        BackupConfig c = backup("s3", content);
        assertThat(store.volumeConfig(VOLUME).orElseThrow().lastBackupName()).isEqualTo(c.name());
        store.delete(VOLUME, c.name());
        assertThat(store.volumeConfig(VOLUME).orElseThrow().lastBackupName()).isEqualTo(b.name());
        store.delete(VOLUME, a.name());
        assertThat(store.volumeConfig(VOLUME).orElseThrow().lastBackupName()).isEqualTo(b.name());
        assertThat(store.delete(VOLUME, "backup-never-was")).as("unknown backups delete fine").isZero();
    }

    @Test
    void deletingTheVolumeRemovesEverything() throws IOException {
        byte[] content = new byte[4 * MiB];
        new Random(6).nextBytes(content);
        backup("s1", content);
        store.deleteVolume(VOLUME);
        assertThat(target.sizes()).isEmpty();
    }
}
