package io.strata.backupstore.lock;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.backupstore.BackupTargets;
import io.strata.backupstore.format.StoreLayout;
import io.strata.backupstore.target.BackupTarget;
import io.strata.backupstore.target.NfsMount;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process killed while it holds a backupstore lock cannot remove its {@code .lck}; the node's
 * next process removes it when it opens the target, and leaves alone the locks of processes
 * that are still alive.
 */
class StaleLockCleanupTest {
    private static final String VOLUME = "pvc-1";

    @TempDir
    Path dir;

    private final java.util.List<Process> processes = new java.util.ArrayList<>();

    @AfterEach
    void stop() {
        processes.forEach(Process::destroyForcibly);
    }

    /** A {@link LockHolder} in another JVM noting its locks in {@code journal}; returns the name of the lock it took. */
    private String holderTakingALock(Path store, Path journal, PrintWriter[] in) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"), LockHolder.class.getName(),
                store.toString(), VOLUME, "BACKUP", "0", journal.toString())).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        processes.add(p);
        in[0] = new PrintWriter(p.getOutputStream(), true, StandardCharsets.UTF_8);
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        assertThat(out.readLine()).isEqualTo("READY");
        in[0].println("acquire");
        String held = out.readLine();
        assertThat(held).startsWith("HELD lock-");
        return held.substring("HELD ".length());
    }

    private static List<String> notes(Path journal) throws IOException {
        try (Stream<Path> files = Files.list(journal)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aLockLeftByAKilledProcessIsRemovedWhenTheNextProcessOpensTheTarget() throws Exception {
        Path store = Files.createDirectories(dir.resolve("store"));
        Path journal = dir.resolve("data/backup-locks");
        PrintWriter[] killedIn = new PrintWriter[1];
        PrintWriter[] aliveIn = new PrintWriter[1];
        String killed = holderTakingALock(store, journal, killedIn);
        String alive = holderTakingALock(store, journal, aliveIn);
        Process victim = processes.getFirst();
        victim.destroyForcibly(); // kill -9: no release
        assertThat(victim.waitFor(10, TimeUnit.SECONDS)).isTrue();
        String url = "file://" + store;
        Path killedLock = store.resolve(StoreLayout.lock(VOLUME, killed));
        assertThat(killedLock).as("left behind by the kill").exists();
        assertThat(notes(journal)).containsExactlyInAnyOrder(killed + ".lock-note", alive + ".lock-note");

        BackupTargets restarted = new BackupTargets(Map.of(), dir.resolve("data/mounts"), NfsMount.system(),
                new DirectoryLockJournal(journal));
        try (BackupTarget target = restarted.open(url)) {
            assertThat(target.list(StoreLayout.locksDirectory(VOLUME))).as("the dead process's lock is gone, the live one's kept")
                    .containsExactly(alive + ".lck");
        }
        assertThat(notes(journal)).containsExactly(alive + ".lock-note");

        aliveIn[0].println("release");
        aliveIn[0].close();
        assertThat(processes.getLast().waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(notes(journal)).as("a released lock leaves no note").isEmpty();
        assertThat(store.resolve(StoreLayout.locksDirectory(VOLUME))).doesNotExist();
    }
}
