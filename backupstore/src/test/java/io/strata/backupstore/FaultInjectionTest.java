package io.strata.backupstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.backupstore.BackupStore.BackupRequest;
import io.strata.backupstore.format.BackupConfig;
import io.strata.backupstore.format.Compression;
import io.strata.backupstore.format.StoreLayout;
import io.strata.backupstore.lock.BackupLock;
import io.strata.backupstore.target.FaultyTarget;
import io.strata.backupstore.target.FaultyTarget.Kind;
import io.strata.backupstore.target.MemoryTarget;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A target that fails at every single step of a backup, a restore and a deletion in turn: the
 * operation ends in an error, no backup ever looks complete that is not, no block any backup needs
 * is lost, and once the target is healthy again the next attempt succeeds and leaves no orphan.
 */
class FaultInjectionTest {
    private static final int MiB = 1 << 20;
    private static final String VOLUME = "pvc-1";
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final MemorySnapshots snapshots = new MemorySnapshots();

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    private final class Fixture {
        final MemoryTarget memory = new MemoryTarget();
        final FaultyTarget target = new FaultyTarget(memory);
        final BackupStore store = new BackupStore(target,
                (v, t) -> BackupLock.acquire(target, v, t, Clock.systemUTC(), Duration.ZERO, scheduler), Clock.systemUTC());

        BackupConfig backup(String snapshot, String name, BackupProgress progress) throws IOException {
            return store.backup(new BackupRequest(VOLUME, Optional.of(name), snapshots.source(snapshot), false, Compression.LZ4,
                    2 * MiB, Map.of(), 2), progress);
        }

        byte[] restore(String backup, int size) throws IOException {
            MemorySnapshots.Sink sink = new MemorySnapshots.Sink(size);
            store.restore(VOLUME, backup, sink, 2, new BackupProgress());
            return sink.bytes;
        }

        Set<String> referenced() throws IOException {
            Set<String> out = new HashSet<>();
            for (String name : store.backups(VOLUME)) {
                store.backupConfig(VOLUME, name).orElseThrow().blocks().forEach(b -> out.add(b.checksum()));
            }
            return out;
        }

        /** A lock whose release failed stays until it expires: let that time pass. */
        void letLeftoverLocksExpire() {
            memory.sizes().keySet().stream().filter(k -> k.contains("/locks/"))
                    .forEach(k -> memory.setModified(k, java.time.Instant.now().minus(BackupLock.EXPIRY).minusSeconds(1)));
        }

        void assertNoOrphanAndNoLock() throws IOException {
            assertThat(store.blocks(VOLUME)).isEqualTo(new TreeSet<>(referenced()));
            assertThat(memory.sizes().keySet()).noneMatch(k -> k.contains("/locks/") && memory.modified(k).orElseThrow()
                    .isAfter(java.time.Instant.now().minus(BackupLock.EXPIRY)));
        }
    }

    private static byte[] content(long seed) {
        byte[] content = new byte[8 * MiB];
        new Random(seed).nextBytes(content);
        return content;
    }

    @Test
    void aBackupFailingAtAnyWriteOrDeleteNeverLooksCompleteAndTheNextOneSucceeds() throws IOException {
        byte[] first = content(1);
        byte[] second = first.clone();
        System.arraycopy(content(2), 0, second, 2 * MiB, 3 * MiB); // two blocks change
        snapshots.take("s1", first);
        snapshots.take("s2", second);
        int faults = 0;
        for (long k = 1; ; k++) {
            Fixture f = new Fixture();
            f.backup("s1", "backup-one", new BackupProgress());
            long failAt = k;
            f.target.failWhen(op -> op.mutates() && op.mutationIndex() == failAt);
            BackupProgress progress = new BackupProgress();
            BackupConfig result = null;
            try {
                result = f.backup("s2", "backup-two", progress);
            } catch (IOException e) {
                assertThat(e).hasMessageContaining("injected fault");
            }
            f.target.heal();
            f.letLeftoverLocksExpire();
            if (f.target.injected() == 0) {
                assertThat(k).as("the backup has its steps").isGreaterThan(5);
                break; // k passed the last mutation: every step has failed once
            }
            faults++;
            Optional<BackupConfig> two = f.store.backupConfig(VOLUME, "backup-two");
            if (result == null) {
                assertThat(progress.state()).as("fault at mutation %d", k).isEqualTo(BackupProgress.State.ERROR);
                assertThat(progress.error()).contains("injected fault");
                assertThat(two.map(BackupConfig::inProgress)).as("fault at mutation %d: never complete", k).isNotEqualTo(Optional.of(false));
            } else {
                // the fault hit after the commit (volume.cfg, the lock's release): the backup stands
                assertThat(progress.state()).isEqualTo(BackupProgress.State.COMPLETE);
                assertThat(f.restore("backup-two", second.length)).isEqualTo(second);
            }
            assertThat(f.restore("backup-one", first.length)).as("fault at mutation %d", k).isEqualTo(first);

            BackupConfig retry = f.backup("s2", "backup-three", new BackupProgress());
            assertThat(f.restore(retry.name(), second.length)).as("retry after a fault at mutation %d", k).isEqualTo(second);
            f.store.delete(VOLUME, "backup-two");
            f.assertNoOrphanAndNoLock();
            assertThat(f.store.backups(VOLUME)).containsExactlyInAnyOrder("backup-one", "backup-three");
        }
        assertThat(faults).isGreaterThan(5);
    }

    @Test
    void aDeletionFailingAtAnyStepLosesNoBlockAndItsRetryLeavesNoOrphan() throws IOException {
        byte[] a = content(3);
        byte[] b = a.clone();
        System.arraycopy(content(4), 0, b, 0, 4 * MiB);
        byte[] c = b.clone();
        System.arraycopy(content(5), 0, c, 4 * MiB, 2 * MiB);
        snapshots.take("s1", a);
        snapshots.take("s2", b);
        snapshots.take("s3", c);
        for (long k = 1; ; k++) {
            Fixture f = new Fixture();
            f.backup("s1", "backup-a", new BackupProgress());
            f.backup("s2", "backup-b", new BackupProgress());
            f.backup("s3", "backup-c", new BackupProgress());
            long failAt = k;
            f.target.failWhen(op -> op.mutates() && op.mutationIndex() == failAt);
            try {
                f.store.delete(VOLUME, "backup-b");
            } catch (IOException e) {
                assertThat(e).hasMessageContaining("injected fault");
            }
            f.target.heal();
            f.letLeftoverLocksExpire();
            boolean injected = f.target.injected() > 0;
            assertThat(f.restore("backup-a", a.length)).as("fault at mutation %d", k).isEqualTo(a);
            assertThat(f.restore("backup-c", c.length)).as("fault at mutation %d", k).isEqualTo(c);
            f.store.delete(VOLUME, "backup-b");
            f.assertNoOrphanAndNoLock();
            assertThat(f.store.volumeConfig(VOLUME).orElseThrow().lastBackupName()).isEqualTo("backup-c");
            if (!injected) {
                assertThat(k).isGreaterThan(3);
                break;
            }
        }
    }

    @Test
    void aFailedListingNeverMeansNothingExists() throws IOException {
        Fixture f = new Fixture();
        byte[] a = content(6);
        snapshots.take("s1", a);
        f.backup("s1", "backup-a", new BackupProgress());
        a[0] ^= 1;
        snapshots.take("s2", a);
        f.backup("s2", "backup-b", new BackupProgress());
        Set<String> before = f.store.blocks(VOLUME);
        f.target.failWhen(op -> op.kind() == Kind.LIST && op.key().endsWith("/backups"));
        assertThatThrownBy(() -> f.store.delete(VOLUME, "backup-a")).hasMessageContaining("injected fault");
        f.target.heal();
        assertThat(f.store.blocks(VOLUME)).isEqualTo(before);
        assertThat(f.restore("backup-b", a.length)).isEqualTo(a);
    }

    @Test
    void aRestoreWhoseReadsFailEndsInAnErrorNamingTheCause() throws IOException {
        Fixture f = new Fixture();
        byte[] a = content(7);
        snapshots.take("s1", a);
        BackupConfig cfg = f.backup("s1", "backup-a", new BackupProgress());
        String third = StoreLayout.block(VOLUME, cfg.blocks().get(2).checksum());
        f.target.failWhen(op -> op.kind() == Kind.READ && op.key().equals(third));
        BackupProgress progress = new BackupProgress();
        MemorySnapshots.Sink sink = new MemorySnapshots.Sink(a.length);
        assertThatThrownBy(() -> f.store.restore(VOLUME, "backup-a", sink, 2, progress)).hasMessageContaining("injected fault: read " + third);
        assertThat(progress.state()).isEqualTo(BackupProgress.State.ERROR);
        assertThat(sink.flushed).as("a failed restore is not reported durable").isFalse();
        f.target.heal();
        assertThat(f.restore("backup-a", a.length)).isEqualTo(a);
    }
}
