package io.strata.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine;

/** Runs {@code strata} in-process on one data directory (given through the environment, as a user would). */
final class Cli {
    private final Path dataDir;

    Cli(Path dataDir) {
        this.dataDir = dataDir;
    }

    /** What one run printed and returned. */
    record Result(int exitCode, String out, String err) {
        /** Asserts success and returns stdout. */
        String ok() {
            assertThat(err).as("stderr").isEmpty();
            assertThat(exitCode).as("exit code; stderr: %s", err).isZero();
            return out;
        }
    }

    Result run(String... args) {
        return run(Map.of(StrataCli.DATA_DIR_ENV, dataDir.toString()), args);
    }

    static Result run(Map<String, String> env, String... args) {
        CommandLine commandLine = StrataCli.create(env);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exitCode = commandLine.execute(args);
        return new Result(exitCode, out.toString(), err.toString());
    }

    /** Runs a command that must succeed and returns its stdout. */
    String ok(String... args) {
        return run(args).ok();
    }
}
