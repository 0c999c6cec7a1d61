package io.strata.csi.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one way the node runs programs: what it keeps of their output, and that none may hang a call. */
class HostOsTest {

    private final Os os = new HostOs();

    @TempDir
    Path tmp;

    @Test
    void aFailureSaysTheCommandItsStatusAndWhatItPrintedOnStderr() {
        Command command = Command.of("sh", "-c", "echo out; echo 'no such device' >&2; exit 3");
        assertThatThrownBy(() -> os.run(command)).isInstanceOfSatisfying(Os.CommandException.class, e -> {
            assertThat(e.exit()).isEqualTo(3);
            assertThat(e.stderr()).isEqualTo("no such device\n");
            assertThat(e.getMessage()).isEqualTo("'sh -c echo out; echo 'no such device' >&2; exit 3' failed with exit status 3: no such device");
        });
    }

    @Test
    void anExitStatusThatIsAnAnswerIsNoFailure() throws Exception {
        Os.Output output = os.run(Command.of("sh", "-c", "echo out; echo err >&2; exit 2").alsoSucceedsWith(2));
        assertThat(output).isEqualTo(new Os.Output(2, "out\n", "err\n"));
    }

    @Test
    void programsRunInTheCLocaleWithoutInput() throws Exception {
        assertThat(os.run(Command.of("sh", "-c", "echo $LC_ALL; cat")).stdout()).isEqualTo("C\n");
    }

    @Test
    void aProgramPastItsTimeLimitIsKilledAndTheCallReturns() {
        long started = System.nanoTime();
        assertThatThrownBy(() -> os.run(Command.of("sleep", "60").timeout(Duration.ofMillis(300))))
                .isInstanceOfSatisfying(Os.CommandException.class, e -> {
                    assertThat(e.exit()).isEqualTo(-1);
                    assertThat(e.getMessage()).contains("'sleep 60' did not finish within 300 ms and was killed");
                });
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void aMissingProgramSaysSo() {
        assertThatThrownBy(() -> os.run(Command.of("no-such-program-here")))
                .isInstanceOf(Os.CommandException.class).hasMessageContaining("no-such-program-here cannot be run")
                .hasMessageContaining("installed");
    }

    @Test
    void longStderrIsQuotedByItsEnd() {
        String quoted = HostOs.quoted("x".repeat(5000) + "\nthe reason");
        assertThat(quoted).startsWith(": ...").endsWith("x the reason").hasSizeLessThan(2100);
        assertThat(HostOs.quoted("  \n")).isEmpty();
    }

    @Test
    void aStartedProgramRunsInASessionOfItsOwnAndLogsToItsFile() throws Exception {
        Path log = tmp.resolve("server.log");
        long pid = os.start(List.of("sh", "-c", "echo started; exec sleep 60"), log);
        ProcessHandle process = ProcessHandle.of(pid).orElseThrow();
        try {
            for (int i = 0; i < 200 && !Files.readString(log).contains("started"); i++) {
                Thread.sleep(10);
            }
            assertThat(Files.readString(log)).isEqualTo("started\n");
            String session = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String ours = Files.readString(Path.of("/proc/self/stat"));
            assertThat(field(session, 6)).as("its session is its own, so Ctrl-C of the server does not reach it")
                    .isEqualTo(Long.toString(pid)).isNotEqualTo(field(ours, 6));
        } finally {
            process.destroyForcibly();
        }
    }

    /** Field {@code n} (1-based) of {@code /proc/PID/stat}, counting after the command name. */
    private static String field(String stat, int n) {
        String[] rest = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return rest[n - 3];
    }
}
