package io.strata.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.backupstore.BackupProgress;
import io.strata.backupstore.BackupStore;
import io.strata.backupstore.BackupStore.BackupRequest;
import io.strata.backupstore.format.BackupConfig;
import io.strata.backupstore.format.Compression;
import io.strata.backupstore.lock.BackupLock;
import io.strata.backupstore.target.DirectoryTarget;
import io.strata.domain.SnapshotName;
import io.strata.domain.VolumeName;
import io.strata.engine.BlockDevice;
import io.strata.engine.SnapshotReader;
import io.strata.engine.Volume;
import io.strata.engine.VolumeStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An engine volume backed up to a directory backupstore and restored into new engine volumes, byte for byte. */
class EngineBackupRoundTripTest {
    private static final int MiB = 1 << 20;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

    @TempDir
    Path tmp;

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    @Test
    void fullThenIncrementalBackupsOfAnEngineVolumeRestoreExactly() throws IOException {
        try (VolumeStore volumes = VolumeStore.open(tmp.resolve("data"))) {
            DirectoryTarget target = new DirectoryTarget("file://" + tmp.resolve("backups"), tmp.resolve("backups"));
            BackupStore backups = new BackupStore(target,
                    (v, t) -> BackupLock.acquire(target, v, t, Clock.systemUTC(), Duration.ZERO, scheduler), Clock.systemUTC());
            Volume volume = volumes.create(VolumeName.of("db"), 64L * MiB);
            Random random = new Random(3);
            for (int i = 0; i < 12; i++) {
                byte[] data = new byte[(1 + random.nextInt(1024)) * 1024];
                random.nextBytes(data);
                volume.writeAt(ByteBuffer.wrap(data), random.nextInt(60 * MiB));
            }
            volume.createSnapshot(SnapshotName.of("s1"), Map.of(), true);
            BackupConfig first = backup(backups, volume, "s1");
            assertThat(first.incremental()).isFalse();

            byte[] patch = new byte[64 * 1024];
            random.nextBytes(patch);
            volume.writeAt(ByteBuffer.wrap(patch), 33L * MiB + 100);
            volume.unmap(2L * MiB, 4L * MiB);
            volume.createSnapshot(SnapshotName.of("s2"), Map.of(), true);
            BackupProgress progress = new BackupProgress();
            BackupConfig second;
            try (SnapshotBackupSource source = new SnapshotBackupSource(volume, SnapshotName.of("s2"))) {
                second = backups.backup(new BackupRequest("db", Optional.empty(), source, false, Compression.LZ4, 2L * MiB,
                        Map.of(), 2), progress);
            }
            assertThat(second.incremental()).isTrue();
            assertThat(progress.bytesScanned()).as("only the blocks the engine reports changed are read")
                    .isLessThanOrEqualTo(4L * MiB + 2L * 2 * MiB);

            for (String snapshot : new String[] {"s1", "s2"}) {
                BackupConfig cfg = snapshot.equals("s1") ? first : second;
                Volume restored = volumes.create(VolumeName.of("restored-" + snapshot), backups.volumeSize(cfg));
                backups.restore("db", cfg.name(), new VolumeRestoreSink(restored), 2, new BackupProgress());
                try (SnapshotReader original = volume.openSnapshot(SnapshotName.of(snapshot))) {
                    byte[] expected = content(original);
                    assertThat(content(restored)).as("restore of " + snapshot).isEqualTo(expected);
                    assertThat(restored.allocatedExtents().stream().mapToLong(e -> e.length()).sum())
                            .as("holes stay holes, also inside blocks that hold data: exactly the pages with data are written")
                            .isEqualTo(4096L * pagesWithData(expected))
                            .isLessThan(2L * MiB * cfg.blocks().size());
                }
            }
        }
    }

    private static BackupConfig backup(BackupStore backups, Volume volume, String snapshot) throws IOException {
        try (SnapshotBackupSource source = new SnapshotBackupSource(volume, SnapshotName.of(snapshot))) {
            return backups.backup(new BackupRequest(volume.name().value(), Optional.empty(), source, false, Compression.LZ4,
                    2L * MiB, Map.of(), 2), new BackupProgress());
        }
    }

    private static long pagesWithData(byte[] content) {
        long pages = 0;
        for (int at = 0; at < content.length; at += 4096) {
            if (java.util.Arrays.mismatch(content, at, at + 4096, new byte[4096], 0, 4096) >= 0) {
                pages++;
            }
        }
        return pages;
    }

    private static byte[] content(BlockDevice device) throws IOException {
        ByteBuffer all = ByteBuffer.allocate((int) device.size());
        device.readAt(all, 0);
        return all.array();
    }
}
