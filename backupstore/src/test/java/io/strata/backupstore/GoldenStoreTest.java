package io.strata.backupstore;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.backupstore.format.BackupConfig;
import io.strata.backupstore.format.BlockChecksum;
import io.strata.backupstore.format.Compression;
import io.strata.backupstore.format.VolumeConfig;
import io.strata.backupstore.lock.BackupLock;
import io.strata.backupstore.target.DirectoryTarget;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store laid out by hand from the format reference, as another implementation would leave it:
 * hashed directories, a volume.cfg with double-encoded fields and no compression method (so gzip),
 * a backup cfg with numbers as strings and a block map, blocks written by the gzip tool.
 */
class GoldenStoreTest {
    private static final int MiB = 1 << 20;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    @Test
    void aHandMadeStoreReadsAndRestores() throws Exception {
        byte[] block = new byte[2 * MiB];
        Arrays.fill(block, 0, 4096, (byte) 'x');
        String checksum = BlockChecksum.of(block);
        // test-vol lives under d0/2f (the reference's example)
        Path volume = dir.resolve("backupstore/volumes/d0/2f/test-vol");
        Path blockFile = volume.resolve("blocks/" + checksum.substring(0, 2) + "/" + checksum.substring(2, 4) + "/" + checksum + ".blk");
        Files.createDirectories(blockFile.getParent());
        Path raw = Files.write(dir.resolve("raw"), block);
        Process gzip = new ProcessBuilder("gzip", "-c", raw.toString()).start();
        Files.write(blockFile, gzip.getInputStream().readAllBytes());
        assertThat(gzip.waitFor()).isZero();
        Files.createDirectories(volume.resolve("backups"));
        Files.writeString(volume.resolve("volume.cfg"), """
                {"Name":"test-vol","Size":"6291456","Labels":null,"CreatedTime":"2026-01-01T00:00:00Z",\
                "LastBackupName":"backup-a1b2c3d4e5f60718","LastBackupAt":"2026-01-01T00:00:00Z","BlockCount":"1",\
                "BackingImageName":"\\"\\"","BackingImageChecksum":"\\"\\"","CompressionMethod":"\\"\\"",\
                "StorageClassName":"\\"longhorn\\"","DataEngine":"\\"v1\\""}""", StandardCharsets.UTF_8);
        Files.writeString(volume.resolve("backups/backup_backup-a1b2c3d4e5f60718.cfg"), """
                {"Name":"backup-a1b2c3d4e5f60718","VolumeName":"test-vol","SnapshotName":"snapshot-1",\
                "SnapshotCreatedAt":"2026-01-01T00:00:00Z","CreatedTime":"2026-01-01T00:00:05Z","Size":"4194304",\
                "Labels":{"KubernetesStatus":"{}"},"IsIncremental":false,"CompressionMethod":"",\
                "Blocks":[{"Offset":0,"BlockChecksum":"%s"},{"Offset":4194304,"BlockChecksum":"%s"}],\
                "ProcessingBlocks":null,"NewlyUploadedDataSize":"1000","ReUploadedDataSize":"0","SingleFile":{"FilePath":""}}"""
                .formatted(checksum, checksum), StandardCharsets.UTF_8);

        DirectoryTarget target = new DirectoryTarget("file://" + dir, dir);
        BackupStore store = new BackupStore(target,
                (v, t) -> BackupLock.acquire(target, v, t, Clock.systemUTC(), Duration.ZERO, scheduler), Clock.systemUTC());
        VolumeConfig v = store.volumeConfig("test-vol").orElseThrow();
        assertThat(v.compression()).isEqualTo(Compression.GZIP);
        assertThat(v.storageClassName()).isEqualTo("longhorn");
        BackupConfig b = store.backupConfig("test-vol", "backup-a1b2c3d4e5f60718").orElseThrow();
        assertThat(b.blockSize()).as("no parameter: 2 MiB").isEqualTo(2 * MiB);
        assertThat(store.volumeSize(b)).as("no Strata parameter: the volume's size").isEqualTo(6 * MiB);
        assertThat(store.backups("test-vol")).containsExactly("backup-a1b2c3d4e5f60718");
        assertThat(store.blocks("test-vol")).containsExactly(checksum);
        assertThat(store.verify("test-vol", b.name(), 2)).isEmpty();

        MemorySnapshots.Sink sink = new MemorySnapshots.Sink(6 * MiB);
        store.restore("test-vol", b.name(), sink, 2, new BackupProgress());
        byte[] expected = new byte[6 * MiB];
        System.arraycopy(block, 0, expected, 0, block.length);
        System.arraycopy(block, 0, expected, 4 * MiB, block.length);
        assertThat(sink.bytes).isEqualTo(expected);

        Files.write(blockFile, new byte[] {0x1f, (byte) 0x8b, 1, 2, 3});
        List<String> problems = store.verify("test-vol", b.name(), 2);
        assertThat(problems).singleElement().asString()
                .startsWith("block " + checksum + " (first at offset 0) does not decompress");
        Files.delete(blockFile);
        assertThat(store.verify("test-vol", b.name(), 2)).containsExactly("block " + checksum + " (first at offset 0) is missing");
    }
}
