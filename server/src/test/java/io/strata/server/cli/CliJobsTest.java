package io.strata.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.control.job.JobRecord;
import io.strata.control.job.Jobs;
import io.strata.control.state.StateStore;
import io.strata.csi.DriverName;
import io.strata.domain.VolumeName;
import io.strata.server.ServerConfig;
import io.strata.server.StrataServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backups a server runs as jobs, seen from the CLI: Ctrl-C of a real {@code strata} process cancels
 * its backup in the server and says so; {@code --detach} leaves it running; {@code strata job ls}
 * and {@code strata job cancel} work through the server and, from the job records, without one.
 * The server's backups wait {@value #SETTLE} s for rival lockers, so each stays running that long.
 */
class CliJobsTest {
    private static final int SETTLE = 6;

    @TempDir
    Path tmp;
    private Path data;
    private StrataServer server;

    @BeforeEach
    void start() throws IOException {
        data = tmp.resolve("data");
        server = StrataServer.start(config());
        Cli.run(env(), "volume", "create", "db", "--size", "8Mi").ok();
        byte[] content = new byte[2 << 20];
        new Random(3).nextBytes(content);
        server.store().open(VolumeName.of("db")).writeAt(ByteBuffer.wrap(content), 0);
    }

    @AfterEach
    void stop() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    private ServerConfig config() {
        return new ServerConfig(data, ServerConfig.defaultBackupTarget(data), ServerConfig.defaultCsiEndpoint(data),
                new DriverName("cli.example.com"), "node-1", Map.of(ServerConfig.BACKUP_LOCK_SETTLE_ENV, Integer.toString(SETTLE)))
                .withHttp(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    private Map<String, String> env() {
        return Map.of(StrataCli.DATA_DIR_ENV, data.toString());
    }

    /** {@code strata ARGS} in a JVM of its own, as a user runs it. */
    private Process strata(String... args) throws IOException {
        Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
        // SIGINT as a terminal delivers it: a test run started in the background (CI) passes it on ignored
        List<String> command = new ArrayList<>(List.of("env", "--default-signal=INT", java.toString(), "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), "io.strata.server.Main"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectOutput(tmp.resolve("out.txt").toFile()).redirectError(tmp.resolve("err.txt").toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("STRATA_"));
        builder.environment().put(StrataCli.DATA_DIR_ENV, data.toString());
        return builder.start();
    }

    private Jobs.Status awaitRunning(String backup) throws Exception {
        return awaitJob(JobRecord.Kind.BACKUP, backup);
    }

    private Jobs.Status awaitJob(JobRecord.Kind kind, String backup) throws Exception {
        for (int i = 0; i < 600; i++) {
            Optional<Jobs.Status> job = server.jobs().get(kind, backup);
            if (job.isPresent()) {
                return job.get();
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no job backup@" + backup + " within 30 s; stderr: " + Files.readString(tmp.resolve("err.txt")));
    }

    @Test
    void ctrlCCancelsTheBackupInTheServerAndSaysSo() throws Exception {
        Process cli = strata("backup", "create", "db", "--name", "b1");
        assertThat(awaitRunning("b1").record().state()).isEqualTo(JobRecord.State.RUNNING);
        new ProcessBuilder("kill", "-INT", Long.toString(cli.pid())).inheritIO().start().waitFor();
        assertThat(cli.waitFor(60, TimeUnit.SECONDS)).as("the CLI ends after Ctrl-C").isTrue();

        String err = Files.readString(tmp.resolve("err.txt"));
        assertThat(cli.exitValue()).as("128 + SIGINT, as a shell reports it; stderr: %s", err).isEqualTo(130);
        assertThat(err).contains("strata: interrupted: cancelled job backup@b1").contains("--detach");
        JobRecord job = server.jobs().get(JobRecord.Kind.BACKUP, "b1").orElseThrow().record();
        assertThat(job.state()).as("no backup left running unseen").isEqualTo(JobRecord.State.ERROR);
        assertThat(job.error()).contains("cancelled");
    }

    @Test
    void ctrlCOfARestoreCancelsItAndRemovesTheHalfRestoredVolume() throws Exception {
        Cli.run(env(), "backup", "create", "db", "--name", "b0").ok();
        Process cli = strata("backup", "restore", "bak://db/b0", "r1");
        assertThat(awaitJob(JobRecord.Kind.RESTORE, "r1").record().state()).isEqualTo(JobRecord.State.RUNNING);
        new ProcessBuilder("kill", "-INT", Long.toString(cli.pid())).inheritIO().start().waitFor();
        assertThat(cli.waitFor(60, TimeUnit.SECONDS)).isTrue();

        String err = Files.readString(tmp.resolve("err.txt"));
        assertThat(cli.exitValue()).as("stderr: %s", err).isEqualTo(130);
        assertThat(err).contains("strata: interrupted: cancelled job restore@r1");
        assertThat(server.store().list()).as("no half-restored volume left").noneMatch(v -> v.name().value().equals("r1"));
    }

    @Test
    void detachLeavesTheBackupRunningAndJobCommandsSeeAndCancelIt() throws Exception {
        Process cli = strata("backup", "create", "db", "--name", "b2", "--detach");
        assertThat(cli.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = Files.readString(tmp.resolve("out.txt"));
        assertThat(cli.exitValue()).as("stderr: %s", Files.readString(tmp.resolve("err.txt"))).isZero();
        assertThat(out).contains("started job backup@b2 in the Strata server at http://127.0.0.1:")
                .contains("strata job ls").contains("strata job cancel backup@b2");
        assertThat(server.jobs().get(JobRecord.Kind.BACKUP, "b2").orElseThrow().record().state())
                .as("still running after the command returned").isEqualTo(JobRecord.State.RUNNING);

        assertThat(Cli.run(env(), "job", "ls").ok()).containsPattern("(?m)^ID +STATE +DONE +VOLUME +CREATED +ERROR$")
                .containsPattern("(?m)^backup@b2 +running +.* db +");
        assertThat(Cli.run(env(), "job", "ls", "--state", "running", "--json").ok()).contains("\"id\" : \"backup@b2\"");
        assertThat(Cli.run(env(), "job", "cancel", "backup@b2").ok()).isEqualTo("cancelled job backup@b2 (error)\n");
        JobRecord job = server.jobs().get(JobRecord.Kind.BACKUP, "b2").orElseThrow().record();
        assertThat(job.state()).isEqualTo(JobRecord.State.ERROR);
        assertThat(Cli.run(env(), "job", "ls", "--state", "running").ok()).isEqualTo("no running jobs\n");

        Cli.Result again = Cli.run(env(), "job", "cancel", "backup@b2");
        assertThat(again.exitCode()).isEqualTo(ExitCode.FAILED_PRECONDITION.status);
        assertThat(again.err()).contains("has already ended");
        assertThat(Cli.run(env(), "job", "cancel", "backup@nope").exitCode()).isEqualTo(ExitCode.NOT_FOUND.status);
        assertThat(Cli.run(env(), "job", "cancel", "b2").exitCode()).isEqualTo(ExitCode.USAGE.status);
    }

    @Test
    void withoutAServerJobsAreReadFromTheirRecordsAndACancelledOneIsNotResumed() throws Exception {
        server.close();
        server = null;
        // what a server killed in the middle of a backup leaves: a record still running, for its next start to resume
        new StateStore(data.resolve("state")).table("jobs", JobRecord.class).put("backup@b3", new JobRecord("b3", JobRecord.Kind.BACKUP,
                JobRecord.State.RUNNING, "db", "b3", ServerConfig.defaultBackupTarget(data), "b3", "incremental", Instant.now(), null, null,
                0, 0));

        assertThat(Cli.run(env(), "job", "ls").ok()).containsPattern("(?m)^backup@b3 +running ");
        Cli.Result detached = Cli.run(env(), "backup", "create", "db", "--detach");
        assertThat(detached.exitCode()).isEqualTo(ExitCode.USAGE.status);
        assertThat(detached.err()).contains("no server owns");
        assertThat(Cli.run(env(), "job", "cancel", "backup@b3").ok()).isEqualTo("cancelled job backup@b3 (error)\n");
        assertThat(Cli.run(env(), "job", "ls", "--json").ok()).contains("\"state\" : \"error\"").contains("cancelled");

        server = StrataServer.start(config());
        JobRecord job = server.jobs().get(JobRecord.Kind.BACKUP, "b3").orElseThrow().record();
        assertThat(job.state()).as("not resumed").isEqualTo(JobRecord.State.ERROR);
    }
}
