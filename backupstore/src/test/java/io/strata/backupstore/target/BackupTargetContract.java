package io.strata.backupstore.target;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.domain.StrataException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What every {@link BackupTarget} must do; each implementation's test extends this. */
abstract class BackupTargetContract {
    BackupTarget target;

    abstract BackupTarget newTarget() throws IOException;

    @BeforeEach
    void open() throws IOException {
        target = newTarget();
    }

    @AfterEach
    void close() throws IOException {
        target.close();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void writtenObjectsReadBackAndWritesReplace() throws IOException {
        target.write("backupstore/volumes/d0/2f/v/volume.cfg", bytes("one"));
        assertThat(target.read("backupstore/volumes/d0/2f/v/volume.cfg")).hasValueSatisfying(b -> assertThat(b).isEqualTo(bytes("one")));
        target.write("backupstore/volumes/d0/2f/v/volume.cfg", bytes("two, longer"));
        assertThat(target.read("backupstore/volumes/d0/2f/v/volume.cfg")).hasValueSatisfying(b -> assertThat(b).isEqualTo(bytes("two, longer")));
        target.write("empty", new byte[0]);
        assertThat(target.read("empty")).hasValueSatisfying(b -> assertThat(b).isEmpty());
    }

    @Test
    void aReadRefusesAnObjectLargerThanItsBoundNamingTheKeyNotTheContent() throws IOException {
        byte[] secret = bytes("root:x:0:0:SECRET-CONTENT".repeat(4)); // 100 bytes
        target.write("backupstore/volumes/d0/2f/v/volume.cfg", secret);
        assertThat(target.read("backupstore/volumes/d0/2f/v/volume.cfg", secret.length)).hasValueSatisfying(b -> assertThat(b).isEqualTo(secret));
        assertThatThrownBy(() -> target.read("backupstore/volumes/d0/2f/v/volume.cfg", secret.length - 1))
                .isInstanceOf(StrataException.Corrupt.class)
                .hasMessageContaining("backupstore/volumes/d0/2f/v/volume.cfg")
                .hasMessageContaining(Integer.toString(secret.length - 1))
                .hasMessageNotContaining("SECRET");
    }

    @Test
    void absenceIsAnAnswer() throws IOException {
        assertThat(target.read("no/such/object")).isEmpty();
        assertThat(target.modified("no/such/object")).isEmpty();
        assertThat(target.list("no/such/prefix")).isEmpty();
        target.delete("no/such/object");
    }

    @Test
    void listingIsOneLevelAndSorted() throws IOException {
        target.write("a/b/c2.blk", bytes("x"));
        target.write("a/b/c1.blk", bytes("x"));
        target.write("a/d/e/f", bytes("x"));
        target.write("a/top", bytes("x"));
        assertThat(target.list("a")).containsExactly("b", "d", "top");
        assertThat(target.list("a/b")).containsExactly("c1.blk", "c2.blk");
        assertThat(target.list("")).contains("a");
    }

    @Test
    void deletingRemovesObjectsAndWholePrefixes() throws IOException {
        target.write("v/backups/backup_1.cfg", bytes("x"));
        target.write("v/blocks/ab/cd/abcd.blk", bytes("x"));
        target.write("v/blocks/ab/ce/abce.blk", bytes("x"));
        target.write("w/volume.cfg", bytes("x"));
        target.delete("v/blocks/ab/cd/abcd.blk");
        assertThat(target.list("v/blocks/ab")).containsExactly("ce");
        target.deleteAll("v");
        assertThat(target.list("v")).isEmpty();
        assertThat(target.read("v/backups/backup_1.cfg")).isEmpty();
        assertThat(target.read("w/volume.cfg")).isPresent();
    }

    @Test
    void modifiedTimesComeFromTheStoreAndMoveOnRewrite() throws Exception {
        Instant before = Instant.now().minus(Duration.ofSeconds(5));
        target.write("locks/lock-1.lck", bytes("{}"));
        Instant first = target.modified("locks/lock-1.lck").orElseThrow();
        assertThat(first).isAfter(before).isBefore(Instant.now().plus(Duration.ofSeconds(5)));
        Thread.sleep(20);
        target.write("locks/lock-1.lck", bytes("{\"Acquired\":true}"));
        assertThat(target.modified("locks/lock-1.lck").orElseThrow()).isAfterOrEqualTo(first);
    }

    @ParameterizedTest(name = "key [{0}]")
    @ValueSource(strings = {"", "/abs", "a//b", "../x", "a/../../x", "a/./b", "a/", "a\\b"})
    void keysThatCouldLeaveTheStoreAreRefused(String key) {
        assertThatThrownBy(() -> target.write(key, bytes("x"))).isExactlyInstanceOf(StrataException.InvalidArgument.class)
                .hasMessageContaining("is not a backupstore key");
        assertThatThrownBy(() -> target.read(key)).isExactlyInstanceOf(StrataException.InvalidArgument.class);
    }

    @Test
    void concurrentWritersOfOneKeyLeaveOneWholeObject() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> writers = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                byte[] data = new byte[64 * 1024];
                java.util.Arrays.fill(data, (byte) w);
                writers.add(pool.submit(() -> {
                    for (int i = 0; i < 20; i++) {
                        target.write("race/key", data);
                    }
                    return null;
                }));
            }
            for (Future<?> f : writers) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        byte[] result = target.read("race/key").orElseThrow();
        assertThat(result).hasSize(64 * 1024);
        assertThat(result).containsOnly(result[0]);
        assertThat(target.list("race")).containsExactly("key");
    }
}
