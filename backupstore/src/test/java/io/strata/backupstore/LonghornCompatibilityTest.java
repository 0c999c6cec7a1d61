package io.strata.backupstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.backupstore.BackupStore.BackupRequest;
import io.strata.backupstore.format.BackupConfig;
import io.strata.backupstore.format.Compression;
import io.strata.backupstore.format.ConfigCodec;
import io.strata.backupstore.format.StoreLayout;
import io.strata.backupstore.format.VolumeConfig;
import io.strata.backupstore.lock.BackupLock;
import io.strata.backupstore.target.DirectoryTarget;
import io.strata.domain.StrataException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Strata and Longhorn's own backupstore code ({@link LonghornCommand}) on one store, each backing up
 * onto the other's backups and restoring them: volumes whose size is not a multiple of the block
 * size, and backup volumes of 16 MiB blocks.
 */
class LonghornCompatibilityTest {
    private static final int MiB = 1 << 20;
    private static final String VOLUME = "pvc-1";
    private static final ObjectMapper JSON = new ObjectMapper();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final MemorySnapshots snapshots = new MemorySnapshots();
    private final Random random = new Random(9);
    private LonghornCommand longhorn;
    private BackupStore store;
    private String storeUrl;

    @TempDir
    Path dir;

    @BeforeEach
    void start() throws IOException {
        longhorn = LonghornCommand.find();
        Path root = Files.createDirectories(dir.resolve("store"));
        storeUrl = "vfs://" + root;
        DirectoryTarget target = new DirectoryTarget(storeUrl, root);
        store = new BackupStore(target, (v, t) -> BackupLock.acquire(target, v, t, Clock.systemUTC(), Duration.ZERO, scheduler),
                Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    /** Random bytes with a hole of zeroes in the middle, as a volume that was never fully written. */
    private byte[] content(int size) {
        byte[] content = new byte[size];
        random.nextBytes(content);
        Arrays.fill(content, size / 3, size / 2, (byte) 0);
        return content;
    }

    private byte[] changed(byte[] content) {
        byte[] next = content.clone();
        for (int i = 0; i < 6; i++) {
            byte[] patch = new byte[8192];
            random.nextBytes(patch);
            System.arraycopy(patch, 0, next, random.nextInt(next.length - patch.length), patch.length);
        }
        return next;
    }

    private Path image(String name, byte[] content) throws IOException {
        return Files.write(dir.resolve(name + ".raw"), content);
    }

    private BackupConfig strataBackup(String snapshot, byte[] content, long blockSize) throws IOException {
        snapshots.take(snapshot, content);
        return store.backup(new BackupRequest(VOLUME, Optional.of("strata-" + snapshot), snapshots.source(snapshot), false,
                Compression.LZ4, blockSize, Map.of(), 2), new BackupProgress());
    }

    private byte[] strataRestore(String backup, long size) throws IOException {
        MemorySnapshots.Sink sink = new MemorySnapshots.Sink(size);
        store.restore(VOLUME, backup, sink, 2, new BackupProgress());
        return sink.bytes;
    }

    private byte[] longhornRestore(String backup) throws Exception {
        Path out = dir.resolve("restored-" + backup + ".raw");
        longhorn.run("restore", storeUrl, VOLUME + "/" + backup, out.toString());
        return Files.readAllBytes(out);
    }

    private JsonNode cfg(String backup) throws IOException {
        return JSON.readTree(dir.resolve("store").resolve(StoreLayout.backupConfig(VOLUME, backup)).toFile());
    }

    private long volumeCfgSize() throws IOException {
        return JSON.readTree(dir.resolve("store").resolve(StoreLayout.volumeConfig(VOLUME)).toFile()).get("Size").asLong();
    }

    /** {@code content} as a volume of {@code size} bytes: zeroes after it. */
    private static byte[] padded(byte[] content, long size) {
        return Arrays.copyOf(content, (int) size);
    }

    @Test
    void aVolumeOfFiveMiBGoesBothWays() throws Exception {
        byte[] first = content(5 * MiB);
        strataBackup("s1", first, 0);
        assertThat(volumeCfgSize()).as("volume.cfg: whole blocks, as Longhorn requires").isEqualTo(6L * MiB);
        assertThat(cfg("strata-s1").get("Parameters").get("strata-volume-size").asText()).isEqualTo(Long.toString(5L * MiB));
        assertThat(longhornRestore("strata-s1")).as("Longhorn restores Strata's backup").isEqualTo(padded(first, 6 * MiB));

        byte[] second = changed(first);
        longhorn.run("backup", "-name", "longhorn-s2", "-size", Long.toString(6L * MiB), storeUrl, VOLUME,
                "s2=" + image("s2", second), "s1=" + image("s1", first));
        assertThat(cfg("longhorn-s2").get("IsIncremental").asBoolean()).as("incremental onto Strata's").isTrue();
        assertThat(longhornRestore("longhorn-s2")).isEqualTo(padded(second, 6 * MiB));
        assertThat(store.verify(VOLUME, "longhorn-s2", 2)).isEmpty();
        assertThat(strataRestore("longhorn-s2", 6 * MiB)).as("Strata restores Longhorn's incremental").isEqualTo(padded(second, 6 * MiB));

        assertThat(strataRestore("strata-s1", 5 * MiB)).as("Strata's own backup keeps its exact size").isEqualTo(first);
        assertThat(store.volumeSize(store.backupConfig(VOLUME, "strata-s1").orElseThrow())).isEqualTo(5L * MiB);
    }

    @Test
    void aSixteenMiBBackupVolumeMadeByStrataGoesBothWays() throws Exception {
        byte[] first = content(40 * MiB); // not a multiple of 16 MiB either
        BackupConfig made = strataBackup("s1", first, 16L * MiB);
        assertThat(made.blockSize()).isEqualTo(16L * MiB);
        assertThat(cfg("strata-s1").get("Parameters").get("backup-block-size").asText()).isEqualTo("16777216");
        assertThat(volumeCfgSize()).isEqualTo(48L * MiB);
        assertThat(longhornRestore("strata-s1")).isEqualTo(padded(first, 48 * MiB));

        byte[] second = changed(first);
        longhorn.run("backup", "-name", "longhorn-s2", "-block-size", "16Mi", "-size", Long.toString(48L * MiB), storeUrl, VOLUME,
                "s2=" + image("s2", second), "s1=" + image("s1", first));
        assertThat(cfg("longhorn-s2").get("IsIncremental").asBoolean()).isTrue();
        assertThat(longhornRestore("longhorn-s2")).isEqualTo(padded(second, 48 * MiB));
        assertThat(strataRestore("longhorn-s2", 48 * MiB)).isEqualTo(padded(second, 48 * MiB));
    }

    @Test
    void strataKeepsTheSixteenMiBBlocksOfLonghornsBackupVolumeWithoutABase() throws Exception {
        byte[] first = content(32 * MiB);
        longhorn.run("backup", "-name", "longhorn-s1", "-block-size", "16Mi", storeUrl, VOLUME, "s1=" + image("s1", first));

        // Strata's snapshot s1 is gone, so there is no incremental base: still, the volume's blocks are 16 MiB
        byte[] second = changed(first);
        BackupConfig made = strataBackup("s2", second, 0);
        assertThat(made.incremental()).isFalse();
        assertThat(made.blockSize()).isEqualTo(16L * MiB);
        assertThat(made.blocks()).allSatisfy(b -> assertThat(b.offset() % (16L * MiB)).isZero());
        assertThatThrownBy(() -> strataBackup("s3", second, 2L * MiB)).isExactlyInstanceOf(StrataException.FailedPrecondition.class)
                .hasMessageContaining("stores blocks of 16 MiB, and a backup volume's block size cannot change");

        byte[] third = changed(second);
        longhorn.run("backup", "-name", "longhorn-s3", "-block-size", "16Mi", storeUrl, VOLUME,
                "s3=" + image("s3", third), "s2=" + image("s2", second));
        assertThat(cfg("longhorn-s3").get("IsIncremental").asBoolean()).as("incremental onto Strata's").isTrue();
        assertThat(longhornRestore("longhorn-s3")).isEqualTo(third);
        assertThat(strataRestore("longhorn-s3", 32 * MiB)).isEqualTo(third);
        assertThat(longhornRestore("strata-s2")).isEqualTo(second);
    }

    @Test
    void cfgsAreWrittenByteForByteAsLonghornWritesThem() throws Exception {
        String note = "a&b<c>d\u2028e\u2029f\"g\\h\u0007i\tj\u00e9k\uD83D\uDE00l";
        longhorn.run("backup", "-name", "longhorn-s1", "-label", "note=" + note, "-label", "x<y=1&2", storeUrl, VOLUME,
                "s1=" + image("s1", content(4 * MiB)));
        Path root = dir.resolve("store");
        byte[] backupCfg = Files.readAllBytes(root.resolve(StoreLayout.backupConfig(VOLUME, "longhorn-s1")));
        byte[] volumeCfg = Files.readAllBytes(root.resolve(StoreLayout.volumeConfig(VOLUME)));
        assertThat(new String(backupCfg, StandardCharsets.UTF_8)).as("Go escapes HTML characters")
                .contains("\"x\\u003cy\":\"1\\u00262\"").contains("\\u2028e\\u2029f");

        BackupConfig backup = ConfigCodec.decodeBackup(backupCfg, "backup cfg");
        assertThat(backup.labels()).containsEntry("note", note).containsEntry("x<y", "1&2");
        assertThat(new String(ConfigCodec.encode(backup), StandardCharsets.UTF_8)).isEqualTo(new String(backupCfg, StandardCharsets.UTF_8));
        VolumeConfig volume = ConfigCodec.decodeVolume(volumeCfg, "volume.cfg");
        assertThat(new String(ConfigCodec.encode(volume), StandardCharsets.UTF_8)).isEqualTo(new String(volumeCfg, StandardCharsets.UTF_8));
    }
}
