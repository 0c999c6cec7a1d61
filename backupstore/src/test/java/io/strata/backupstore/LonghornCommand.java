package io.strata.backupstore;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Longhorn's own backupstore code, as the {@code lh-backupstore} command that {@code .ci/run} unpacks
 * and names in {@code STRATA_LH_BACKUPSTORE}: the reference both ways for the format. Outside CI a
 * test without it is skipped, saying how to get it; under {@code CI=true} it fails.
 */
final class LonghornCommand {
    static final String ENV = "STRATA_LH_BACKUPSTORE";
    private final Path command;

    private LonghornCommand(Path command) {
        this.command = command;
    }

    /** The command, or the test skipped (failed under CI) when it is not installed. */
    static LonghornCommand find() {
        String path = System.getenv(ENV);
        if (path != null && !path.isBlank() && Files.isExecutable(Path.of(path))) {
            return new LonghornCommand(Path.of(path));
        }
        String why = ENV + " does not name the lh-backupstore command (" + path + "): unpack it with"
                + " xz -dc ../shared/tools/longhorn/lh-backupstore.xz > DIR/lh-backupstore, chmod +x, and export " + ENV
                + "=DIR/lh-backupstore (.ci/run does)";
        if ("true".equals(System.getenv("CI"))) {
            fail(why);
        }
        Assumptions.abort(why);
        return null;
    }

    /** Runs {@code lh-backupstore ARGS}; returns its standard output, failing the test on a non-zero exit. */
    String run(String... args) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>();
        argv.add(command.toString());
        argv.addAll(List.of(args));
        Path err = Files.createTempFile("lh-backupstore", ".err");
        try {
            Process p = new ProcessBuilder(argv).redirectError(err.toFile()).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                fail("lh-backupstore " + String.join(" ", args) + " did not finish in 5 minutes");
            }
            if (p.exitValue() != 0) {
                fail("lh-backupstore " + String.join(" ", args) + " exited " + p.exitValue() + ": " + Files.readString(err));
            }
            return out;
        } finally {
            Files.deleteIfExists(err);
        }
    }
}
