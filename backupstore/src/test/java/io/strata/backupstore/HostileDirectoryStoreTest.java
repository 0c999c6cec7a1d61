package io.strata.backupstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.strata.backupstore.BackupStore.BackupRequest;
import io.strata.backupstore.format.BackupConfig;
import io.strata.backupstore.format.Compression;
import io.strata.backupstore.format.StoreLayout;
import io.strata.backupstore.lock.BackupLock;
import io.strata.backupstore.target.DirectoryTarget;
import io.strata.domain.StrataException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A directory target that someone else controls (an NFS export a tenant can write to) while Strata
 * runs as root: links planted in it lead nothing out of it, special files are not opened, huge
 * objects are refused unread, and no error quotes what a file holds.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HostileDirectoryStoreTest {
    private static final int MiB = 1 << 20;
    private static final String VOLUME = "pvc-1";
    private static final String SECRET = "root:x:0:0:SECRET-LINE";

    @TempDir
    Path dir;
    private Path storeRoot;
    private Path outside;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final MemorySnapshots snapshots = new MemorySnapshots();
    private DirectoryTarget target;
    private BackupStore store;

    @BeforeEach
    void open() throws IOException {
        storeRoot = dir.resolve("store");
        outside = Files.createDirectories(dir.resolve("outside"));
        target = new DirectoryTarget("file://" + storeRoot, storeRoot);
        store = new BackupStore(target, (v, t) -> BackupLock.acquire(target, v, t, Clock.systemUTC(), Duration.ZERO, scheduler),
                Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    private BackupConfig backup(String snapshot, byte[] content) throws IOException {
        snapshots.take(snapshot, content);
        return store.backup(new BackupRequest(VOLUME, Optional.of(snapshot), snapshots.source(snapshot), false, Compression.LZ4,
                2 * MiB, Map.of(), 2), new BackupProgress());
    }

    private static byte[] content(int blocks, int seed) {
        byte[] data = new byte[blocks * 2 * MiB];
        new java.util.Random(seed).nextBytes(data);
        return data;
    }

    private Path at(String key) {
        return storeRoot.resolve(key);
    }

    /** Every file and directory below {@code outside}, as relative paths: what must not change. */
    private java.util.List<String> outsideTree() throws IOException {
        try (Stream<Path> paths = Files.walk(outside)) {
            return paths.map(p -> outside.relativize(p).toString()).sorted().toList();
        }
    }

    /** Moves {@code key}'s directory out of the store and leaves a link to it in its place. */
    private Path replaceWithLink(String key) throws IOException {
        Path real = at(key);
        Path moved = outside.resolve(real.getFileName());
        Files.move(real, moved);
        Files.createSymbolicLink(real, moved);
        return moved;
    }

    @Test
    void aBlockThatLinksOutsideIsNotReadAndGarbageCollectionRemovesOnlyTheLink() throws IOException {
        BackupConfig first = backup("one", content(2, 1));
        Path secret = Files.writeString(outside.resolve("passwd"), SECRET);
        String linked = first.blocks().getFirst().checksum();
        Files.delete(at(StoreLayout.block(VOLUME, linked)));
        Files.createSymbolicLink(at(StoreLayout.block(VOLUME, linked)), secret);

        MemorySnapshots.Sink sink = new MemorySnapshots.Sink(4 * MiB);
        assertThatThrownBy(() -> store.restore(VOLUME, "one", sink, 2, new BackupProgress()))
                .isInstanceOf(StrataException.Corrupt.class)
                .hasMessageContaining(linked).hasMessageContaining("symbolic link").hasMessageNotContaining("SECRET");
        assertThat(store.verify(VOLUME, "one", 2)).singleElement().asString()
                .contains(linked).contains("symbolic link").doesNotContain("SECRET");

        store.delete(VOLUME, "one"); // the linked block is now garbage: the link goes, not what it points to
        assertThat(at(StoreLayout.block(VOLUME, linked))).doesNotExist();
        assertThat(secret).hasContent(SECRET);
    }

    @Test
    void aBlockThatLinksToDevZeroIsRefusedWithoutReadingIt() throws IOException {
        BackupConfig first = backup("one", content(1, 2));
        String linked = first.blocks().getFirst().checksum();
        Files.delete(at(StoreLayout.block(VOLUME, linked)));
        Files.createSymbolicLink(at(StoreLayout.block(VOLUME, linked)), Path.of("/dev/zero"));
        assertThatThrownBy(() -> store.restore(VOLUME, "one", new MemorySnapshots.Sink(2 * MiB), 2, new BackupProgress()))
                .isInstanceOf(StrataException.Corrupt.class).hasMessageContaining(linked);
    }

    @Test
    void aBlockThatIsAFifoIsRefusedWithoutWaitingOnIt() throws Exception {
        BackupConfig first = backup("one", content(1, 3));
        String fifo = first.blocks().getFirst().checksum();
        Path block = at(StoreLayout.block(VOLUME, fifo));
        Files.delete(block);
        Process mkfifo = new ProcessBuilder("mkfifo", block.toString()).start();
        assumeThat(mkfifo.waitFor()).as("mkfifo works here").isZero();
        long start = System.nanoTime();
        assertThatThrownBy(() -> store.restore(VOLUME, "one", new MemorySnapshots.Sink(2 * MiB), 2, new BackupProgress()))
                .isInstanceOf(StrataException.Corrupt.class).hasMessageContaining(fifo).hasMessageContaining("not a regular file");
        assertThat(store.verify(VOLUME, "one", 2)).singleElement().asString().contains("not a regular file");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void aBackupsDirectoryThatLinksOutsideLosesNothingOutside() throws IOException {
        backup("one", content(1, 4));
        replaceWithLink(StoreLayout.backupsDirectory(VOLUME));
        java.util.List<String> before = outsideTree();

        assertThatThrownBy(() -> store.delete(VOLUME, "one"))
                .isInstanceOf(StrataException.Corrupt.class).hasMessageContaining("symbolic link");
        assertThatThrownBy(() -> store.backupConfig(VOLUME, "one")).isInstanceOf(StrataException.Corrupt.class);
        store.deleteVolume(VOLUME); // removes the link itself, and nothing it leads to
        assertThat(outsideTree()).isEqualTo(before);
        assertThat(at(StoreLayout.backupsDirectory(VOLUME))).doesNotExist();
    }

    @Test
    void aVolumeDirectoryThatLinksOutsideGetsNoLockAndLosesNothing() throws IOException {
        backup("one", content(1, 5));
        replaceWithLink(StoreLayout.volumeDirectory(VOLUME));
        java.util.List<String> before = outsideTree();

        assertThatThrownBy(() -> backup("two", content(1, 6))).isInstanceOf(StrataException.class);
        assertThatThrownBy(() -> store.delete(VOLUME, "one")).isInstanceOf(StrataException.class);
        assertThatThrownBy(() -> store.deleteVolume(VOLUME)).isInstanceOf(StrataException.class);
        assertThat(outsideTree()).as("no lock file made, no block or cfg deleted outside the store").isEqualTo(before);
    }

    @Test
    void aLocksDirectoryThatLinksOutsideGetsNoLockFile() throws IOException {
        backup("one", content(1, 7));
        Files.createDirectories(at(StoreLayout.locksDirectory(VOLUME)));
        replaceWithLink(StoreLayout.locksDirectory(VOLUME));
        java.util.List<String> before = outsideTree();

        assertThatThrownBy(() -> backup("two", content(1, 8)))
                .isInstanceOf(StrataException.Corrupt.class).hasMessageContaining("symbolic link");
        assertThatThrownBy(() -> store.delete(VOLUME, "one")).isInstanceOf(StrataException.class);
        assertThat(outsideTree()).isEqualTo(before);
    }

    @Test
    void aCfgThatLinksToASecretOrHoldsOneIsNotQuoted() throws IOException {
        backup("one", content(1, 9));
        Path secret = Files.writeString(outside.resolve("passwd"), SECRET + "\n");
        Path cfg = at(StoreLayout.backupConfig(VOLUME, "one"));
        Files.delete(cfg);
        Files.createSymbolicLink(cfg, secret);
        assertThatThrownBy(() -> store.backupConfig(VOLUME, "one"))
                .isInstanceOf(StrataException.Corrupt.class).hasMessageContaining("backup_one.cfg").hasMessageNotContaining("SECRET")
                .hasMessageNotContaining("root:");

        Files.delete(cfg);
        Files.writeString(cfg, SECRET + "\n"); // a plain file holding it: the parse error names the place, not the bytes
        assertThatThrownBy(() -> store.backupConfig(VOLUME, "one"))
                .isInstanceOf(StrataException.Corrupt.class).hasMessageContaining("backup_one.cfg").hasMessageContaining("line 1")
                .hasMessageNotContaining("SECRET").hasMessageNotContaining("root").hasNoCause();
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void aHugeSparseCfgIsRefusedAtOnceUnread() throws IOException {
        backup("one", content(1, 10));
        Path cfg = at(StoreLayout.backupConfig(VOLUME, "one"));
        try (RandomAccessFile sparse = new RandomAccessFile(cfg.toFile(), "rw")) {
            sparse.setLength(3L << 30); // 3 GiB of holes after the real cfg
        }
        assertThatThrownBy(() -> store.backupConfig(VOLUME, "one"))
                .isInstanceOf(StrataException.Corrupt.class).hasMessageContaining("backup_one.cfg").hasMessageContaining("3221225472 bytes");
        Path volumeCfg = at(StoreLayout.volumeConfig(VOLUME));
        try (RandomAccessFile sparse = new RandomAccessFile(volumeCfg.toFile(), "rw")) {
            sparse.setLength(3L << 30);
        }
        assertThatThrownBy(() -> store.volumeConfig(VOLUME))
                .isInstanceOf(StrataException.Corrupt.class).hasMessageContaining("volume.cfg");
    }

    @Test
    void aBlockLargerThanItsCompressedBoundIsRefused() throws IOException {
        BackupConfig first = backup("one", content(1, 11));
        Path block = at(StoreLayout.block(VOLUME, first.blocks().getFirst().checksum()));
        try (RandomAccessFile grown = new RandomAccessFile(block.toFile(), "rw")) {
            grown.setLength(3 * MiB);
        }
        assertThatThrownBy(() -> store.restore(VOLUME, "one", new MemorySnapshots.Sink(2 * MiB), 2, new BackupProgress()))
                .isInstanceOf(StrataException.Corrupt.class).hasMessageContaining("3145728 bytes");
    }

    @Test
    void aPlainStoreStillWorks() throws IOException {
        byte[] data = content(2, 12);
        backup("one", data);
        MemorySnapshots.Sink sink = new MemorySnapshots.Sink(data.length);
        store.restore(VOLUME, "one", sink, 2, new BackupProgress());
        assertThat(sink.bytes).isEqualTo(data);
        assertThat(new String(Files.readAllBytes(at(StoreLayout.volumeConfig(VOLUME))), StandardCharsets.UTF_8)).contains(VOLUME);
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void aCfgThatIsAFifoOrALinkIsReportedAtOnceAndHoldsOffGarbageCollection() throws Exception {
        backup("one", content(1, 13));
        BackupConfig second = backup("two", content(1, 14));
        Path cfg = at(StoreLayout.backupConfig(VOLUME, "one"));
        Files.delete(cfg);
        assumeThat(new ProcessBuilder("mkfifo", cfg.toString()).start().waitFor()).as("mkfifo works here").isZero();
        assertThat(store.backups(VOLUME)).containsExactlyInAnyOrder("one", "two");
        assertThatThrownBy(() -> store.backupConfig(VOLUME, "one"))
                .isInstanceOf(StrataException.Corrupt.class).hasMessageContaining("backup_one.cfg").hasMessageContaining("not a regular file");

        java.util.Set<String> blocksBefore = store.blocks(VOLUME);
        assertThat(store.delete(VOLUME, "two")).as("a cfg that cannot be read: no block is collected").isZero();
        assertThat(store.blocks(VOLUME)).isEqualTo(blocksBefore).contains(second.blocks().getFirst().checksum());

        Files.delete(cfg);
        Files.createSymbolicLink(cfg, Path.of("/proc/self/environ"));
        assertThatThrownBy(() -> store.backupConfig(VOLUME, "one"))
                .isInstanceOf(StrataException.Corrupt.class).hasMessageContaining("symbolic link").hasMessageNotContaining("PATH=");
        assertThat(store.delete(VOLUME, "one")).as("deleting the broken backup itself is possible").isPositive();
        assertThat(Path.of("/proc/self/environ")).exists();
    }
}
