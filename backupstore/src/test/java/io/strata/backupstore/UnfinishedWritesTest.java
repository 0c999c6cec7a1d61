package io.strata.backupstore;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.backupstore.BackupStore.BackupRequest;
import io.strata.backupstore.format.BackupConfig;
import io.strata.backupstore.format.Compression;
import io.strata.backupstore.format.StoreLayout;
import io.strata.backupstore.lock.BackupLock;
import io.strata.backupstore.lock.LockJournal;
import io.strata.backupstore.lock.LockTiming;
import io.strata.backupstore.target.DirectoryTarget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An upload killed between writing its temporary file and renaming it leaves
 * {@code <key>.tmp.<n>} behind, which no listing shows; a deletion's collection removes those
 * older than a lock lives, and keeps fresh ones, which may be a live upload's.
 */
class UnfinishedWritesTest {
    private static final int MiB = 1 << 20;
    private static final String VOLUME = "pvc-1";
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final MemorySnapshots snapshots = new MemorySnapshots();

    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    private Path leftover(String key, Instant modified) throws IOException {
        Path file = dir.resolve(key + ".tmp." + Math.abs(new Random().nextLong()));
        Files.createDirectories(file.getParent());
        Files.write(file, new byte[4096]);
        Files.setLastModifiedTime(file, FileTime.from(modified));
        return file;
    }

    @Test
    void aDeletionRemovesTheTemporaryFilesOfKilledUploadsButNotThoseOfLiveOnes() throws IOException {
        DirectoryTarget target = new DirectoryTarget("file://" + dir, dir);
        BackupStore store = new BackupStore(target, BackupStore.Locks.of(target,
                LockTiming.longhorn(Clock.systemUTC(), Duration.ZERO), LockJournal.NONE, scheduler), Clock.systemUTC());
        byte[] content = new byte[8 * MiB];
        new Random(3).nextBytes(content);
        snapshots.take("s1", content);
        BackupConfig first = store.backup(new BackupRequest(VOLUME, Optional.empty(), snapshots.source("s1"), false,
                Compression.LZ4, 2 * MiB, Map.of(), 2), new BackupProgress());
        byte[] changed = content.clone();
        changed[0] ^= 1;
        snapshots.take("s2", changed);
        BackupConfig second = store.backup(new BackupRequest(VOLUME, Optional.empty(), snapshots.source("s2"), false,
                Compression.LZ4, 2 * MiB, Map.of(), 2), new BackupProgress());

        Instant longAgo = Instant.now().minus(BackupLock.EXPIRY).minusSeconds(5);
        String someBlock = StoreLayout.block(VOLUME, "ab".repeat(32));
        Path killedUpload = leftover(StoreLayout.block(VOLUME, second.blocks().get(1).checksum()), longAgo);
        Path killedNewBlock = leftover(someBlock, longAgo);
        Path killedCfg = leftover(StoreLayout.volumeConfig(VOLUME), longAgo);
        Path liveUpload = leftover(StoreLayout.block(VOLUME, "cd".repeat(32)), Instant.now().minusSeconds(5));
        Path otherVolume = leftover(StoreLayout.block("pvc-2", "ef".repeat(32)), longAgo);

        store.delete(VOLUME, first.name());
        assertThat(killedUpload).as("a killed upload of an existing block").doesNotExist();
        assertThat(killedNewBlock).as("a killed upload of a new block").doesNotExist();
        assertThat(killedCfg).as("a killed cfg write").doesNotExist();
        assertThat(liveUpload).as("younger than a lock lives: maybe a live upload").exists();
        assertThat(otherVolume).as("another volume's, collected by its own deletions").exists();

        MemorySnapshots.Sink sink = new MemorySnapshots.Sink(content.length);
        store.restore(VOLUME, second.name(), sink, 2, new BackupProgress());
        assertThat(sink.bytes).isEqualTo(changed);
    }
}
