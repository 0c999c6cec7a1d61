package io.strata.server.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a program as a test would at a shell, without a shell: for dd, df, findmnt and friends. */
final class Sh {

    /** What a finished program printed. */
    record Result(int exit, String out) {}

    private Sh() {}

    /** Runs {@code argv} and returns stdout; fails the test unless it exits 0. */
    static String ok(String... argv) {
        Result result = run(argv);
        assertThat(result.exit()).as("%s exited %d: %s", String.join(" ", argv), result.exit(), result.out()).isZero();
        return result.out();
    }

    static Result run(String... argv) {
        try {
            Path out = Files.createTempFile("sh", ".out");
            try {
                Process process = new ProcessBuilder(List.of(argv)).redirectErrorStream(true).redirectOutput(out.toFile())
                        .redirectInput(new File("/dev/null")).start();
                if (!process.waitFor(2, TimeUnit.MINUTES)) {
                    process.destroyForcibly();
                    throw new AssertionError(String.join(" ", argv) + " did not finish in 2 minutes");
                }
                return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
