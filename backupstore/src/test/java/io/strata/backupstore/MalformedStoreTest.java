package io.strata.backupstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.backupstore.BackupStore.BackupRequest;
import io.strata.backupstore.format.BackupConfig;
import io.strata.backupstore.format.BlockChecksum;
import io.strata.backupstore.format.Compression;
import io.strata.backupstore.format.StoreLayout;
import io.strata.backupstore.lock.BackupLock;
import io.strata.backupstore.target.MemoryTarget;
import io.strata.domain.StrataException;
import java.io.IOException;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A store whose block map someone broke: restore fails with {@link StrataException.Corrupt} instead
 * of writing wrong data and succeeding, and verify does not call the backup whole.
 */
class MalformedStoreTest {
    private static final int MiB = 1 << 20;
    private static final String VOLUME = "pvc-1";
    private static final ObjectMapper JSON = new ObjectMapper();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final MemoryTarget target = new MemoryTarget();
    private final BackupStore store = new BackupStore(target,
            (v, t) -> BackupLock.acquire(target, v, t, Clock.systemUTC(), Duration.ZERO, scheduler), Clock.systemUTC());

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    /** A 5 MiB volume, every byte random: three blocks, the last one half data, half padding. */
    private BackupConfig backup() throws IOException {
        byte[] content = new byte[5 * MiB];
        new Random(6).nextBytes(content);
        MemorySnapshots snapshots = new MemorySnapshots();
        snapshots.take("s1", content);
        return store.backup(new BackupRequest(VOLUME, Optional.of("backup-1"), snapshots.source("s1"), false, Compression.LZ4,
                0, Map.of(), 2), new BackupProgress());
    }

    private ObjectNode cfg() throws IOException {
        return (ObjectNode) JSON.readTree(target.read(StoreLayout.backupConfig(VOLUME, "backup-1")).orElseThrow());
    }

    private void write(ObjectNode cfg) throws IOException {
        target.write(StoreLayout.backupConfig(VOLUME, "backup-1"), JSON.writeValueAsBytes(cfg));
    }

    private static ObjectNode block(ObjectNode cfg, int i) {
        return (ObjectNode) cfg.get("Blocks").get(i);
    }

    private static ObjectNode parameters(ObjectNode cfg) {
        return (ObjectNode) cfg.get("Parameters");
    }

    static Stream<Arguments> damage() {
        return Stream.of(
                argumentSet("Offset 2^64, which wrapped to 0", (Consumer<ObjectNode>) c ->
                        block(c, 0).put("Offset", new BigInteger("18446744073709551616"))),
                argumentSet("an unaligned offset", (Consumer<ObjectNode>) c -> block(c, 1).put("Offset", 4096)),
                argumentSet("a duplicate offset", (Consumer<ObjectNode>) c -> block(c, 1).put("Offset", 0)),
                argumentSet("an offset beyond the volume's size", (Consumer<ObjectNode>) c -> block(c, 2).put("Offset", 6 * MiB)),
                argumentSet("an offset 2 GiB past the end", (Consumer<ObjectNode>) c ->
                        block(c, 2).put("Offset", (1L << 31) + 6 * MiB)),
                argumentSet("strata-volume-size 4096", (Consumer<ObjectNode>) c -> parameters(c).put("strata-volume-size", "4096")),
                argumentSet("strata-volume-size of 20 digits", (Consumer<ObjectNode>) c ->
                        parameters(c).put("strata-volume-size", "99999999999999999999")),
                argumentSet("a block size of 4 MiB", (Consumer<ObjectNode>) c ->
                        parameters(c).put("backup-block-size", "4194304")),
                argumentSet("a Size of 20 digits", (Consumer<ObjectNode>) c -> c.put("Size", "99999999999999999999")));
    }

    @ParameterizedTest
    @MethodSource("damage")
    void aDamagedBlockMapIsRefusedByRestoreAndVerify(Consumer<ObjectNode> damage) throws IOException {
        backup();
        ObjectNode cfg = cfg();
        damage.accept(cfg);
        write(cfg);
        MemorySnapshots.Sink sink = new MemorySnapshots.Sink(5 * MiB);
        assertThatThrownBy(() -> store.restore(VOLUME, "backup-1", sink, 2, new BackupProgress()))
                .isExactlyInstanceOf(StrataException.Corrupt.class).hasMessageContaining("backup_backup-1.cfg is corrupt: ");
        assertThat(sink.writes).as("nothing written").isZero();
        assertThatThrownBy(() -> store.verify(VOLUME, "backup-1", 2))
                .isExactlyInstanceOf(StrataException.Corrupt.class).hasMessageContaining("backup_backup-1.cfg is corrupt: ");
    }

    @Test
    void aBlockBeyondTheSizeInVolumeCfgIsRefusedForABackupMadeElsewhere() throws IOException {
        backup();
        ObjectNode cfg = cfg();
        parameters(cfg).remove("strata-volume-size"); // as Longhorn writes it: the size is volume.cfg's
        write(cfg);
        String volumeKey = StoreLayout.volumeConfig(VOLUME);
        ObjectNode volume = (ObjectNode) JSON.readTree(target.read(volumeKey).orElseThrow());
        assertThat(volume.get("Size").asText()).as("Longhorn's size: whole blocks").isEqualTo(Long.toString(6L * MiB));
        assertThat(store.verify(VOLUME, "backup-1", 2)).isEmpty();
        volume.put("Size", Long.toString(4L * MiB));
        target.write(volumeKey, JSON.writeValueAsBytes(volume));
        assertThatThrownBy(() -> store.restore(VOLUME, "backup-1", new MemorySnapshots.Sink(6 * MiB), 2, new BackupProgress()))
                .isExactlyInstanceOf(StrataException.Corrupt.class)
                .hasMessageContaining("backup_backup-1.cfg is corrupt: Blocks[2].Offset lies beyond the volume's size 4194304");
        assertThatThrownBy(() -> store.verify(VOLUME, "backup-1", 2)).isExactlyInstanceOf(StrataException.Corrupt.class);
    }

    @Test
    void aBlockThatDecompressesShortIsCorruptEvenWithItsChecksum() throws IOException {
        backup();
        byte[] half = new byte[MiB]; // what a block of a 5 MiB volume would hold without its padding
        Arrays.fill(half, (byte) 'x');
        String checksum = BlockChecksum.of(half);
        target.write(StoreLayout.block(VOLUME, checksum), Compression.LZ4.compress(half));
        ObjectNode cfg = cfg();
        block(cfg, 1).put("BlockChecksum", checksum);
        write(cfg);
        MemorySnapshots.Sink sink = new MemorySnapshots.Sink(5 * MiB);
        assertThatThrownBy(() -> store.restore(VOLUME, "backup-1", sink, 2, new BackupProgress()))
                .isExactlyInstanceOf(StrataException.Corrupt.class)
                .hasMessageContaining("at offset 2097152 of backup 'backup-1' decompresses to 1048576 bytes, not the block size 2097152");
        List<String> problems = store.verify(VOLUME, "backup-1", 2);
        assertThat(problems).singleElement().asString().isEqualTo("block " + checksum
                + " (first at offset 2097152) decompresses to 1048576 bytes, not the block size 2097152");
    }

    @Test
    void theUndamagedBackupRestoresItsExactSize() throws IOException {
        BackupConfig made = backup();
        assertThat(made.parameters()).containsEntry("strata-volume-size", Long.toString(5L * MiB));
        assertThat(store.volumeSize(made)).isEqualTo(5L * MiB);
        assertThat(store.verify(VOLUME, "backup-1", 2)).isEmpty();
        ArrayNode blocks = (ArrayNode) cfg().get("Blocks");
        assertThat(blocks).hasSize(3);
    }
}
