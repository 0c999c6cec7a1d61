package io.strata.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.backupstore.format.ConfigCodec;
import io.strata.backupstore.format.StoreLayout;
import io.strata.domain.VolumeName;
import io.strata.engine.VolumeStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ctrl-C or SIGTERM of a real {@code strata} process that backs up or restores without a server:
 * the work is cancelled and undoes itself (no in-progress cfg, no lock, no snapshot taken for the
 * backup, no half-restored volume), the command says it was cancelled, and it exits with 128 + the
 * signal's number, as the server path does.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CliInterruptTest {
    private static final int MiB = 1 << 20;

    @TempDir
    Path tmp;

    private Map<String, String> env;
    private Path backups;

    @BeforeEach
    void setUp() throws IOException {
        backups = Files.createDirectories(tmp.resolve("backups"));
        env = Map.of(StrataCli.DATA_DIR_ENV, tmp.resolve("data").toString(), Services.LOCK_SETTLE_ENV, "0",
                RootCommand.BACKUP_TARGET_ENV, "file://" + backups);
        // random data compressed with gzip: the backup's upload lasts long enough to be caught in the middle
        byte[] data = new byte[48 * MiB];
        new Random(7).nextBytes(data);
        ok("volume", "create", "db", "--size", "48Mi");
        ok("volume", "import", "db", Files.write(tmp.resolve("data.img"), data).toString());
        Files.delete(tmp.resolve("data.img"));
    }

    private String ok(String... args) {
        return Cli.run(env, args).ok();
    }

    /** {@code strata ARGS} in a JVM of its own, as a user runs it, its lock attempts waiting {@code settle} s for rivals. */
    private Process strata(int settle, String... args) throws IOException {
        // SIGINT as a terminal delivers it: a test run started in the background (CI) passes it on ignored
        List<String> command = new ArrayList<>(List.of("env", "--default-signal=INT",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), "io.strata.server.Main"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectOutput(tmp.resolve("out.txt").toFile()).redirectError(tmp.resolve("err.txt").toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("STRATA_"));
        builder.environment().putAll(env);
        builder.environment().put(Services.LOCK_SETTLE_ENV, Integer.toString(settle));
        return builder.start();
    }

    private static void signal(Process process, String signal) throws Exception {
        assertThat(new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start().waitFor()).isZero();
    }

    private static void await(Path file) throws InterruptedException {
        for (int i = 0; i < 6000 && !Files.exists(file); i++) {
            Thread.sleep(5);
        }
        assertThat(file).exists();
    }

    /** Waits for a file in {@code key}, the target's directory: e.g. a lock taken. */
    private void awaitFileIn(String key) throws Exception {
        for (int i = 0; i < 6000 && files(key).isEmpty(); i++) {
            Thread.sleep(5);
        }
        assertThat(files(key)).as("a file in %s", key).isNotEmpty();
    }

    private String stderr() throws IOException {
        return Files.readString(tmp.resolve("err.txt"));
    }

    private List<Path> files(String key) throws IOException {
        Path dir = backups.resolve(key);
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> all = Files.list(dir)) {
            return all.toList();
        }
    }

    /** Every snapshot of db, those taken for backups too (which the CLI's listings leave out). */
    private List<String> snapshots() throws IOException {
        try (VolumeStore store = VolumeStore.open(tmp.resolve("data"))) {
            return store.open(VolumeName.of("db")).snapshots().stream().map(s -> s.name().value()).toList();
        }
    }

    @Test
    void ctrlCInTheMiddleOfAnOfflineBackupRemovesItsCfgLockAndSnapshot() throws Exception {
        Process backup = strata(0, "backup", "create", "db", "--name", "b1", "--compression", "gzip");
        Path cfg = backups.resolve(StoreLayout.backupConfig("db", "b1"));
        await(cfg); // the in-progress cfg: the blocks are on their way
        signal(backup, "STOP"); // held still in the middle, so that the interrupt lands there however fast the machine
        assertThat(ConfigCodec.decodeBackup(Files.readAllBytes(cfg), "cfg").inProgress()).as("the backup is still in progress").isTrue();
        assertThat(files(StoreLayout.locksDirectory("db"))).as("its lock").hasSize(1);
        signal(backup, "INT");
        signal(backup, "CONT");
        assertThat(backup.waitFor(60, TimeUnit.SECONDS)).as("the process ends").isTrue();

        String err = stderr();
        assertThat(cfg).as("no in-progress cfg left for the next run to clean; stderr: %s", err).doesNotExist();
        assertThat(files(StoreLayout.locksDirectory("db"))).as("the lock is released").isEmpty();
        assertThat(backup.exitValue()).as("128 + SIGINT, as a shell reports it; stderr: %s", err).isEqualTo(130);
        assertThat(err).contains("strata: cancelled the backup of db: no backup was made");
        assertThat(snapshots()).as("the snapshot taken for the backup is removed").doesNotContain("b1");
        assertThat(ok("backup", "ls", "db")).as("no backup, broken or not").startsWith("no backups of db");
    }

    @Test
    void sigtermWhileAnOfflineBackupWaitsForItsLockStopsItAtOnce() throws Exception {
        Process backup = strata(60, "backup", "create", "db", "--name", "b2");
        awaitFileIn(StoreLayout.locksDirectory("db"));
        long signalled = System.nanoTime();
        backup.destroy(); // SIGTERM, while the lock waits a minute for rivals
        assertThat(backup.waitFor(60, TimeUnit.SECONDS)).as("the process ends").isTrue();

        String err = stderr();
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - signalled)).as("not after the minute's wait; stderr: %s", err)
                .isLessThan(30);
        assertThat(backup.exitValue()).as("128 + SIGTERM; stderr: %s", err).isEqualTo(143);
        assertThat(err).contains("strata: cancelled the backup of db");
        assertThat(files(StoreLayout.locksDirectory("db"))).as("no lock left for the next run to wait out").isEmpty();
        assertThat(snapshots()).doesNotContain("b2");
        ok("backup", "create", "db", "--name", "b2"); // and the next run goes ahead
    }

    @Test
    void aRestoreStoppedByTheUserLeavesNoVolume() throws Exception {
        ok("backup", "create", "db", "--name", "b0");
        // a real process, stopped as Ctrl-C stops it, while its restore waits 60 s for rivals of its lock
        Process restore = strata(60, "backup", "restore", "bak://db/b0", "stopped");
        Path made = tmp.resolve("data/volumes/stopped");
        await(made);
        awaitFileIn(StoreLayout.locksDirectory("db")); // into the lock's wait
        signal(restore, "INT");
        assertThat(restore.waitFor(60, TimeUnit.SECONDS)).as("the process ends").isTrue();

        String err = stderr();
        assertThat(restore.exitValue()).as("stderr: %s", err).isEqualTo(130);
        assertThat(err).contains("strata: cancelled the restore into stopped: the half-restored volume stopped was removed");
        assertThat(made).doesNotExist();
        assertThat(ok("volume", "ls")).doesNotContain("stopped");
    }
}
