package io.strata.backupstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.strata.backupstore.BackupStore.BackupRequest;
import io.strata.backupstore.format.BackupConfig;
import io.strata.backupstore.format.Compression;
import io.strata.backupstore.lock.BackupLock;
import io.strata.backupstore.s3.S3Target;
import io.strata.backupstore.s3.S3TestServer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The S3 server goes away in the middle of a backup, then comes back. */
class BackupS3OutageTest {
    /**
     * What a stopped server looks like from the client: refused, or cut off in the middle of a request
     * (reset, broken pipe, no response), depending on where the stop catches it.
     */
    private static final String[] SERVER_GONE = {"Connection refused", "failed to respond", "Connection reset", "Broken pipe"};

    private static final int MiB = 1 << 20;
    private static final String VOLUME = "pvc-outage";
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    @Test
    void aBackupCutByAnOutageFailsNeverLooksCompleteAndTheNextOneRestoresByteForByte() throws Exception {
        byte[] content = new byte[16 * MiB];
        new Random(5).nextBytes(content);
        MemorySnapshots snapshots = new MemorySnapshots();
        snapshots.take("s1", content);

        try (S3TestServer server = S3TestServer.start(); S3Target target = server.newTarget()) {
            BackupStore store = new BackupStore(target,
                    (v, t) -> BackupLock.acquire(target, v, t, Clock.systemUTC(), Duration.ZERO, scheduler), Clock.systemUTC());
            BackupSource good = snapshots.source("s1");
            AtomicInteger reads = new AtomicInteger();
            BackupSource cut = new BackupSource() {
                @Override public String snapshotName() { return "s1"; }
                @Override public long size() { return good.size(); }
                @Override public boolean hasSnapshot(String name) { return good.hasSnapshot(name); }
                @Override public List<long[]> changedRanges(Optional<String> since) throws IOException { return good.changedRanges(since); }
                @Override public void read(ByteBuffer dst, long offset) throws IOException {
                    if (reads.incrementAndGet() == 3) {
                        server.stop(); // two blocks are on their way or stored: the third finds the server gone
                    }
                    good.read(dst, offset);
                }
            };

            BackupProgress progress = new BackupProgress();
            assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertThatThrownBy(() -> store.backup(
                    new BackupRequest(VOLUME, Optional.of("backup-outage"), cut, false, Compression.LZ4, 2 * MiB, Map.of(), 2), progress))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining(target.url())
                    .satisfies(e -> assertThat(e.getMessage()).containsAnyOf(SERVER_GONE)));
            assertThat(progress.state()).isEqualTo(BackupProgress.State.ERROR);
            assertThat(progress.error()).contains(target.url()).containsAnyOf(SERVER_GONE)
                    .as("the failure reported is the one that stopped the backup, not its cleanup's").doesNotContain("backup_backup-outage.cfg");

            server.restart();
            // the failed backup could not even remove its in-progress cfg while the server was down: it
            // may stay, in progress (no CreatedTime), for garbage collection to clear; never complete
            assertThat(store.backupConfig(VOLUME, "backup-outage")).satisfiesAnyOf(
                    cfg -> assertThat(cfg).isEmpty(),
                    cfg -> assertThat(cfg).hasValueSatisfying(c -> assertThat(c.createdTime()).isEmpty()));
            assertThat(store.volumeConfig(VOLUME)).hasValueSatisfying(v -> assertThat(v.lastBackupName()).isEmpty());

            BackupProgress again = new BackupProgress();
            BackupConfig next = store.backup(new BackupRequest(VOLUME, Optional.empty(), snapshots.source("s1"), false,
                    Compression.LZ4, 2 * MiB, Map.of(), 2), again);
            assertThat(again.state()).isEqualTo(BackupProgress.State.COMPLETE);
            assertThat(next.inProgress()).isFalse();
            assertThat(next.blocks()).hasSize(8);

            MemorySnapshots.Sink sink = new MemorySnapshots.Sink(content.length);
            BackupProgress restore = new BackupProgress();
            store.restore(VOLUME, next.name(), sink, 2, restore);
            assertThat(restore.state()).isEqualTo(BackupProgress.State.COMPLETE);
            assertThat(sink.bytes).isEqualTo(content);
        }
    }
}
