package io.strata.nbd.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The third-party tools an interoperability test needs, and running them. A missing tool fails
 * the test when {@code CI} is set (CI installs them: see {@code .ci/run}); elsewhere it skips the
 * test and prints what to install.
 */
final class Tools {
    /** The system python, which python3-libnbd installs its module for (not a pyenv one). */
    static final String PYTHON = "/usr/bin/python3";
    private static final Duration TIMEOUT = Duration.ofMinutes(3);

    private Tools() {}

    /** The output of a finished command. */
    record Result(int exit, String stdout, String stderr) {
        Result ok() {
            assertThat(exit).as("exit status; stdout:%n%s%nstderr:%n%s", stdout, stderr).isZero();
            return this;
        }
    }

    /** Requires programs on the PATH; {@code debianPackage} names what installs them. */
    static void require(String debianPackage, String... programs) {
        for (String program : programs) {
            if (!onPath(program)) {
                missing(program + " (Debian package " + debianPackage + ")");
            }
        }
    }

    /** Requires the nbd module of the system python. */
    static void requirePythonNbd() {
        require("python3", PYTHON);
        if (run(PYTHON, "-c", "import nbd").exit() != 0) {
            missing("the python nbd module (Debian package python3-libnbd) for " + PYTHON);
        }
    }

    /** Requires fio with its nbd engine. */
    static void requireFioNbd() {
        require("fio", "fio");
        if (!run("fio", "--enghelp").stdout().lines().anyMatch(l -> l.strip().equals("nbd"))) {
            missing("fio's nbd ioengine (Debian's fio has it)");
        }
    }

    private static void missing(String what) {
        String ci = System.getenv("CI");
        if (ci != null && !ci.isBlank() && !ci.equalsIgnoreCase("false")) {
            Assertions.fail("CI lacks " + what + ": .ci/run must install it");
        }
        System.err.println("skipping: " + what + " is not installed (CI installs it; apt-get install it to run this test)");
        Assumptions.abort(what + " is not installed");
    }

    private static boolean onPath(String program) {
        if (program.contains("/")) {
            return Files.isExecutable(Path.of(program));
        }
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    static Result run(String... command) {
        return run(List.of(command));
    }

    static Result run(List<String> command) {
        try {
            Path out = Files.createTempFile("nbd-tool", ".out");
            Path err = Files.createTempFile("nbd-tool", ".err");
            try {
                Process process = new ProcessBuilder(new ArrayList<>(command))
                        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                        .redirectOutput(out.toFile())
                        .redirectError(err.toFile())
                        .start();
                if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor();
                    Assertions.fail(command + " did not finish within " + TIMEOUT + "; output so far:\n" + Files.readString(out)
                            + Files.readString(err));
                }
                return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                        Files.readString(err, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
