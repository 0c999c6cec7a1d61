package io.strata.backupstore.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.backupstore.lock.BackupLock.Type;
import io.strata.backupstore.target.DirectoryTarget;
import io.strata.domain.StrataException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Locks between two processes sharing one directory target, as two nodes sharing an NFS export would. */
class CrossProcessLockTest {
    private static final String VOLUME = "pvc-1";
    private static final Duration SETTLE = Duration.ofMillis(300);
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

    @TempDir
    Path dir;

    private Other other;

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
        if (other != null) {
            other.close();
        }
    }

    /** The other process: a JVM on this test's class path running {@link LockHolder}. */
    private static final class Other implements AutoCloseable {
        final Process process;
        final PrintWriter in;
        final BufferedReader out;

        Other(Path dir, Type type) throws IOException {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            process = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"), LockHolder.class.getName(),
                    dir.toString(), VOLUME, type.name(), Long.toString(SETTLE.toMillis())))
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            in = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
            out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            assertThat(answer()).isEqualTo("READY");
        }

        String answer() throws IOException {
            String line = out.readLine();
            assertThat(line).as("the other process answers").isNotNull();
            return line;
        }

        String ask(String command) throws IOException {
            in.println(command);
            return answer();
        }

        @Override
        public void close() {
            in.close();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    private BackupLock take(DirectoryTarget target, Type type) throws IOException {
        return BackupLock.acquire(target, VOLUME, type, Clock.systemUTC(), SETTLE, scheduler);
    }

    @Test
    void aDeletionInOneProcessHoldsOffBackupsInAnotherAndTheReverse() throws IOException {
        DirectoryTarget target = new DirectoryTarget("file://" + dir, dir);
        other = new Other(dir, Type.DELETION);
        String held = other.ask("acquire");
        assertThat(held).startsWith("HELD lock-");
        assertThatThrownBy(() -> take(target, Type.BACKUP)).isExactlyInstanceOf(StrataException.Unavailable.class)
                .hasMessageContaining("is locked by " + held.substring(5) + " (a deletion)");
        assertThat(other.ask("release")).isEqualTo("RELEASED");

        try (BackupLock backup = take(target, Type.BACKUP)) {
            assertThat(other.ask("acquire")).startsWith("UNAVAILABLE backup volume 'pvc-1' is locked by " + backup.name());
            try (BackupLock restore = take(target, Type.RESTORE)) {
                assertThat(restore.name()).as("backups and restores share").isNotEqualTo(backup.name());
            }
        }
        assertThat(other.ask("acquire")).as("free again").startsWith("HELD ");
        assertThat(other.ask("release")).isEqualTo("RELEASED");
    }

    @RepeatedTest(3)
    void ofTwoRivalsStartingTogetherExactlyOneWins() throws Exception {
        DirectoryTarget target = new DirectoryTarget("file://" + dir, dir);
        other = new Other(dir, Type.DELETION);
        other.in.println("acquire");
        CompletableFuture<BackupLock> ours = CompletableFuture.supplyAsync(() -> {
            try {
                return take(target, Type.BACKUP);
            } catch (StrataException.Unavailable e) {
                return null;
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        String theirs = other.answer();
        BackupLock mine = ours.get(30, TimeUnit.SECONDS);
        boolean theyHold = theirs.startsWith("HELD ");
        assertThat(mine != null).as("we hold (they answered '%s')", theirs).isNotEqualTo(theyHold);
        if (mine != null) {
            mine.close();
        } else {
            assertThat(other.ask("release")).isEqualTo("RELEASED");
        }
    }
}
