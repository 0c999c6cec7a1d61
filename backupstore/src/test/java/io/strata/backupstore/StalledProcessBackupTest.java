package io.strata.backupstore;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.backupstore.BackupStore.BackupRequest;
import io.strata.backupstore.format.BackupConfig;
import io.strata.backupstore.format.Compression;
import io.strata.backupstore.format.StoreLayout;
import io.strata.backupstore.lock.LockJournal;
import io.strata.backupstore.lock.LockTiming;
import io.strata.backupstore.target.DirectoryTarget;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stall of item "a backup that stalls past the lock expiry", for real: another JVM backs up to
 * a directory target and is stopped with SIGSTOP mid-upload; this process deletes an older backup
 * of the same volume (and collects) once the stopped one's lock has expired; on SIGCONT the stopped
 * backup must fail rather than commit, and every backup that is committed restores byte for byte.
 * The lock expiry is 3 s here instead of Longhorn's 150 s, in both processes.
 */
class StalledProcessBackupTest {
    private static final int MiB = 1 << 20;
    private static final String VOLUME = "pvc-stalled";
    private static final Duration EXPIRY = Duration.ofSeconds(3);
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final MemorySnapshots snapshots = new MemorySnapshots();
    private Process other;

    @TempDir
    Path dir;

    @AfterEach
    void stop() throws IOException {
        scheduler.shutdownNow();
        if (other != null && other.isAlive()) {
            signal("CONT", other.pid());
            other.destroyForcibly();
        }
    }

    private static void signal(String name, long pid) throws IOException {
        try {
            int exit = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).inheritIO().start().waitFor();
            assertThat(exit).as("kill -%s %d", name, pid).isZero();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private BackupConfig backup(BackupStore store, String snapshot, byte[] content) throws IOException {
        snapshots.take(snapshot, content);
        return store.backup(new BackupRequest(VOLUME, Optional.empty(), snapshots.source(snapshot), false, Compression.LZ4,
                2 * MiB, Map.of(), 2), new BackupProgress());
    }

    @Test
    void aBackupProcessStoppedPastItsLockExpiryWhileAnOlderBackupIsDeletedDoesNotCommit() throws Exception {
        DirectoryTarget target = new DirectoryTarget("file://" + dir, dir);
        LockTiming timing = LockTiming.longhorn(Clock.systemUTC(), Duration.ofMillis(200)).withExpiry(EXPIRY);
        BackupStore store = new BackupStore(target, BackupStore.Locks.of(target, timing, LockJournal.NONE, scheduler),
                Clock.systemUTC());
        Map<String, byte[]> expected = new HashMap<>();
        byte[] first = BackupInAnotherProcess.content(16, 1);
        BackupConfig old = backup(store, "s1", first);
        byte[] second = first.clone();
        second[5 * MiB] ^= 1;
        BackupConfig kept = backup(store, "s2", second);
        expected.put(kept.name(), second);

        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        other = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"), BackupInAnotherProcess.class.getName(),
                dir.toString(), VOLUME, "backup-stalled", Long.toString(EXPIRY.toMillis()), "32", "99", "40"))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(other.getInputStream(), StandardCharsets.UTF_8));
        List<String> said = new ArrayList<>();
        for (String line; (line = out.readLine()) != null && !line.equals("READ 6"); ) {
            said.add(line);
        }
        signal("STOP", other.pid());
        assertThat(said).as("stopped mid-upload").doesNotContain("COMMITTED backup-stalled").contains("READ 5");
        assertThat(store.backupConfig(VOLUME, "backup-stalled")).as("its in-progress cfg").isPresent();

        Thread.sleep(EXPIRY.plusMillis(1500)); // its lock file is now older than the expiry, for every process
        assertThat(store.delete(VOLUME, old.name())).as("the deletion took the volume and collected").isPositive();
        assertThat(store.backupConfig(VOLUME, "backup-stalled")).as("it removed the stalled cfg as abandoned").isEmpty();

        signal("CONT", other.pid());
        for (String line; (line = out.readLine()) != null; ) {
            said.add(line);
        }
        assertThat(other.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(said.getLast()).as("the stopped backup, resumed").startsWith("FAILED Unavailable lost the backupstore lock lock-")
                .contains("is not committed: retry it");
        assertThat(store.backupConfig(VOLUME, "backup-stalled")).as("no cfg for it, complete or not").isEmpty();
        assertThat(target.list(StoreLayout.locksDirectory(VOLUME))).as("no lock left behind").isEmpty();

        byte[] third = second.clone();
        third[9 * MiB] ^= 1;
        BackupConfig after = backup(store, "s3", third); // the volume goes on being backed up
        expected.put(after.name(), third);
        assertThat(store.backups(VOLUME)).containsExactlyInAnyOrderElementsOf(expected.keySet());
        for (String name : store.backups(VOLUME)) {
            MemorySnapshots.Sink sink = new MemorySnapshots.Sink(16 * MiB);
            store.restore(VOLUME, name, sink, 2, new BackupProgress());
            assertThat(sink.bytes).as("committed backup %s restores byte for byte", name).isEqualTo(expected.get(name));
        }
    }
}
