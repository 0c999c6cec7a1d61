package io.strata.backupstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.backupstore.BackupStore.BackupRequest;
import io.strata.backupstore.format.BackupConfig;
import io.strata.backupstore.format.Compression;
import io.strata.backupstore.format.StoreLayout;
import io.strata.backupstore.lock.BackupLock;
import io.strata.backupstore.s3.S3Target;
import io.strata.backupstore.s3.S3TestServer;
import io.strata.backupstore.target.BackupTarget;
import io.strata.backupstore.target.DirectoryTarget;
import io.strata.backupstore.target.MemoryTarget;
import io.strata.domain.StrataException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Backups and restores, byte for byte, on every kind of target: the fake, a directory and S3. */
class BackupRoundTripTest {
    /** The targets a round trip runs on. */
    enum Kind { MEMORY, DIRECTORY, S3 }

    private static final int MiB = 1 << 20;
    private static final String VOLUME = "pvc-1";
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final MemorySnapshots snapshots = new MemorySnapshots();
    private final Random random = new Random(11);

    private final List<BackupTarget> targets = new ArrayList<>();

    @TempDir
    Path dir;

    @AfterEach
    void stop() throws IOException {
        scheduler.shutdownNow();
        for (BackupTarget target : targets) {
            if (target instanceof S3Target s3) {
                S3TestServer.shared().release(s3); // its bucket too, so the in-memory server stays small
            } else {
                target.close();
            }
        }
    }

    private BackupTarget target(Kind kind) throws IOException {
        BackupTarget target = switch (kind) {
            case MEMORY -> new MemoryTarget();
            case DIRECTORY -> new DirectoryTarget("file://" + dir, dir);
            case S3 -> S3TestServer.shared().newTarget();
        };
        targets.add(target);
        return target;
    }

    static Stream<Arguments> kindsAndCompressions() {
        return Arrays.stream(Kind.values()).flatMap(k -> Arrays.stream(Compression.values()).map(c -> Arguments.of(k, c)));
    }

    private BackupStore store(BackupTarget target) {
        return new BackupStore(target, (v, t) -> BackupLock.acquire(target, v, t, Clock.systemUTC(), Duration.ZERO, scheduler),
                Clock.systemUTC());
    }

    private BackupRequest request(String snapshot, boolean full, Compression compression, long blockSize) {
        return new BackupRequest(VOLUME, Optional.empty(), snapshots.source(snapshot), full, compression, blockSize,
                Map.of("app", "db"), 3);
    }

    /** 24 MiB: 8 MiB random, 4 MiB text-like, the rest never written, with a few scattered writes. */
    private byte[] volume() {
        byte[] content = new byte[24 * MiB];
        byte[] noise = new byte[8 * MiB];
        random.nextBytes(noise);
        System.arraycopy(noise, 0, content, 0, noise.length);
        byte[] text = "INSERT INTO t VALUES (42, 'strata');\n".getBytes();
        for (int i = 8 * MiB; i < 12 * MiB; i++) {
            content[i] = text[i % text.length];
        }
        content[20 * MiB + 5] = 7;
        return content;
    }

    private void change(byte[] content, int blocks) {
        for (int i = 0; i < blocks; i++) {
            int at = random.nextInt(content.length - 4096);
            byte[] patch = new byte[4096];
            random.nextBytes(patch);
            System.arraycopy(patch, 0, content, at, patch.length);
        }
    }

    private byte[] restore(BackupStore store, String backup, long size) throws IOException {
        MemorySnapshots.Sink sink = new MemorySnapshots.Sink(size);
        BackupProgress progress = new BackupProgress();
        store.restore(VOLUME, backup, sink, 3, progress);
        assertThat(progress.state()).isEqualTo(BackupProgress.State.COMPLETE);
        assertThat(progress.percent()).isEqualTo(100);
        assertThat(sink.flushed).isTrue();
        return sink.bytes;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("kindsAndCompressions")
    void aFullBackupRestoresByteForByte(Kind kind, Compression compression) throws IOException {
        byte[] content = volume();
        snapshots.take("s1", content);
        BackupStore store = store(target(kind));
        BackupProgress progress = new BackupProgress();
        BackupConfig cfg = store.backup(request("s1", false, compression, 2 * MiB), progress);

        assertThat(cfg.name()).matches("backup-[0-9a-f]{16}");
        assertThat(cfg.inProgress()).isFalse();
        assertThat(cfg.incremental()).isFalse();
        assertThat(cfg.compressionMethod()).isEqualTo(compression.method());
        assertThat(cfg.blocks()).as("blocks that read as zeroes are not stored").hasSize(7);
        assertThat(progress.blocksNew()).isEqualTo(7);
        assertThat(progress.state()).isEqualTo(BackupProgress.State.COMPLETE);
        assertThat(store.volumeConfig(VOLUME).orElseThrow().lastBackupName()).isEqualTo(cfg.name());
        assertThat(restore(store, cfg.name(), content.length)).isEqualTo(content);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Kind.class)
    void incrementalBackupsUploadWhatChangedAndEachRestoresOnItsOwn(Kind kind) throws IOException {
        BackupStore store = store(target(kind));
        byte[] content = volume();
        List<String> backups = new ArrayList<>();
        List<byte[]> contents = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            if (i > 1) {
                change(content, 3); // at most 3 blocks of 2 MiB change
            }
            snapshots.take("s" + i, content);
            BackupProgress progress = new BackupProgress();
            BackupConfig cfg = store.backup(request("s" + i, false, Compression.LZ4, 2 * MiB), progress);
            if (i > 1) {
                assertThat(cfg.incremental()).isTrue();
                assertThat(progress.bytesScanned()).as("an incremental backup reads what changed").isLessThanOrEqualTo(6L * MiB);
                assertThat(progress.blocksNew()).isLessThanOrEqualTo(3);
            }
            backups.add(cfg.name());
            contents.add(content.clone());
        }
        for (int i = 0; i < 5; i++) {
            assertThat(restore(store, backups.get(i), content.length)).as("backup %d", i + 1).isEqualTo(contents.get(i));
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Kind.class)
    void sixteenMebibyteBlocksAndALargerTargetVolume(Kind kind) throws IOException {
        byte[] content = volume();
        snapshots.take("s1", content);
        BackupStore store = store(target(kind));
        BackupConfig cfg = store.backup(request("s1", false, Compression.GZIP, 16 * MiB), new BackupProgress());
        assertThat(cfg.blockSize()).isEqualTo(16 * MiB);
        assertThat(cfg.blocks()).hasSize(2);
        byte[] restored = restore(store, cfg.name(), content.length + 8 * MiB);
        assertThat(Arrays.copyOf(restored, content.length)).isEqualTo(content);
        assertThat(Arrays.copyOfRange(restored, content.length, restored.length)).containsOnly(0);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Kind.class)
    void aDamagedOrMissingBlockFailsTheRestoreNamingIt(Kind kind) throws IOException {
        byte[] content = volume();
        snapshots.take("s1", content);
        BackupTarget target = target(kind);
        BackupStore store = store(target);
        BackupConfig cfg = store.backup(request("s1", false, Compression.LZ4, 2 * MiB), new BackupProgress());
        BackupConfig.BlockRef first = cfg.blocks().getFirst();
        String key = StoreLayout.block(VOLUME, first.checksum());
        byte[] good = target.read(key).orElseThrow();

        target.write(key, Compression.LZ4.compress(new byte[2 * MiB]));
        BackupProgress progress = new BackupProgress();
        assertThatThrownBy(() -> store.restore(VOLUME, cfg.name(), new MemorySnapshots.Sink(content.length), 2, progress))
                .isExactlyInstanceOf(StrataException.Corrupt.class)
                .hasMessage("block " + first.checksum() + " at offset 0 of backup '" + cfg.name()
                        + "' does not match its checksum: the stored copy is damaged");
        assertThat(progress.state()).isEqualTo(BackupProgress.State.ERROR);

        target.delete(key);
        assertThatThrownBy(() -> store.restore(VOLUME, cfg.name(), new MemorySnapshots.Sink(content.length), 2, new BackupProgress()))
                .isExactlyInstanceOf(StrataException.Corrupt.class).hasMessageContaining("is missing from the backup target");

        // a full backup re-uploads every block, replacing what was lost
        snapshots.take("s2", content);
        BackupConfig full = store.backup(request("s2", true, Compression.LZ4, 2 * MiB), new BackupProgress());
        assertThat(target.read(key)).hasValueSatisfying(b -> assertThat(b).isEqualTo(good));
        assertThat(full.reUploadedDataSize()).isPositive();
        assertThat(restore(store, cfg.name(), content.length)).isEqualTo(content);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Kind.class)
    void aFailedBackupLeavesNoCfgAndTheNextOneSucceeds(Kind kind) throws IOException {
        byte[] content = volume();
        snapshots.take("s1", content);
        BackupStore store = store(target(kind));
        BackupSource good = snapshots.source("s1");
        BackupSource failing = new BackupSource() {
            @Override public String snapshotName() { return "s1"; }
            @Override public long size() { return good.size(); }
            @Override public boolean hasSnapshot(String name) { return true; }
            @Override public List<long[]> changedRanges(Optional<String> since) throws IOException { return good.changedRanges(since); }
            @Override public void read(ByteBuffer dst, long offset) throws IOException {
                if (offset >= 8 * MiB) {
                    throw new IOException("read error at " + offset);
                }
                good.read(dst, offset);
            }
        };
        BackupProgress progress = new BackupProgress();
        assertThatThrownBy(() -> store.backup(new BackupRequest(VOLUME, Optional.of("backup-fails"), failing, false,
                Compression.LZ4, 2 * MiB, Map.of(), 2), progress)).isInstanceOf(IOException.class).hasMessageStartingWith("read error at");
        assertThat(progress.state()).isEqualTo(BackupProgress.State.ERROR);
        assertThat(progress.error()).startsWith("read error at");
        assertThat(store.backupConfig(VOLUME, "backup-fails")).as("never looks complete, nor in progress").isEmpty();
        BackupConfig next = store.backup(request("s1", false, Compression.LZ4, 2 * MiB), new BackupProgress());
        assertThat(restore(store, next.name(), content.length)).isEqualTo(content);
    }

    @Test
    void restoreRefusesTooSmallTargetsAndUnknownBackups() throws IOException {
        byte[] content = volume();
        snapshots.take("s1", content);
        MemoryTarget target = new MemoryTarget();
        BackupStore store = store(target);
        BackupConfig cfg = store.backup(request("s1", false, Compression.LZ4, 2 * MiB), new BackupProgress());
        assertThatThrownBy(() -> store.restore(VOLUME, cfg.name(), new MemorySnapshots.Sink(MiB), 2, new BackupProgress()))
                .isExactlyInstanceOf(StrataException.OutOfRange.class).hasMessageContaining("give it at least " + content.length);
        assertThatThrownBy(() -> store.restore(VOLUME, "backup-nope", new MemorySnapshots.Sink(MiB), 2, new BackupProgress()))
                .isExactlyInstanceOf(StrataException.NotFound.class).hasMessage("backup 'backup-nope' of volume 'pvc-1' does not exist");
    }
}
