package io.strata.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Named.named;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import io.strata.engine.VolumeStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every failure: the right exit code and exactly one {@code strata: ...} line on stderr, nothing on
 * stdout, no stack trace. Runs against a volume {@code v} (1 MiB) with a snapshot {@code s}.
 */
class CliErrorTest {
    @TempDir
    Path tmp;

    private Cli cli;

    @BeforeEach
    void setUp() throws IOException {
        cli = new Cli(tmp.resolve("data"));
        cli.ok("volume", "create", "vv", "--size", "1Mi");
        cli.ok("snapshot", "create", "vv", "s");
        Files.write(tmp.resolve("small.img"), new byte[] {1, 2, 3});
        Files.write(tmp.resolve("big.img"), new byte[2 << 20]);
        Files.writeString(tmp.resolve("a-file"), "not a directory");
    }

    static Stream<Arguments> failures() {
        String longName = "a".repeat(64);
        return Stream.of(
                failure("volume name with a path", ExitCode.USAGE, "invalid volume name '../x'", "volume", "create", "../x", "--size", "1Gi"),
                failure("empty volume name", ExitCode.USAGE, "volume name is empty", "volume", "create", "", "--size", "1Gi"),
                failure("64-character volume name", ExitCode.USAGE, "64 characters long", "volume", "create", longName, "--size", "1Gi"),
                failure("bad name on info", ExitCode.USAGE, "invalid volume name", "volume", "info", "a b"),
                failure("bad snapshot name", ExitCode.USAGE, "invalid snapshot name 'a/b'", "snapshot", "create", "vv", "a/b"),
                failure("empty snapshot after @", ExitCode.USAGE, "snapshot name is empty", "volume", "export", "vv@", "{tmp}/x.img"),
                failure("size zero", ExitCode.USAGE, "", "volume", "create", "x", "--size", "0"),
                failure("negative size", ExitCode.USAGE, "invalid size '-1'", "volume", "create", "x", "--size", "-1"),
                failure("size not a multiple of 4096", ExitCode.USAGE, "", "volume", "create", "x", "--size", "1000"),
                failure("unknown size suffix", ExitCode.USAGE, "invalid size '12Xi'", "volume", "create", "x", "--size", "12Xi"),
                failure("size too large", ExitCode.USAGE, "too large", "volume", "create", "x", "--size", "99999999999Ti"),
                failure("missing size", ExitCode.USAGE, "Missing required option: '--size=SIZE'", "volume", "create", "x"),
                failure("shrink on expand", ExitCode.FAILED_PRECONDITION, "", "volume", "expand", "vv", "--size", "512Ki"),
                failure("volume exists", ExitCode.ALREADY_EXISTS, "", "volume", "create", "vv", "--size", "1Mi"),
                failure("snapshot exists", ExitCode.ALREADY_EXISTS, "", "snapshot", "create", "vv", "s"),
                failure("clone onto an existing volume", ExitCode.ALREADY_EXISTS, "", "volume", "clone", "vv@s", "vv"),
                failure("unknown volume: info", ExitCode.NOT_FOUND, "", "volume", "info", "nope"),
                failure("unknown volume: rm", ExitCode.NOT_FOUND, "", "volume", "rm", "nope"),
                failure("unknown volume: expand", ExitCode.NOT_FOUND, "", "volume", "expand", "nope", "--size", "2Mi"),
                failure("unknown volume: import", ExitCode.NOT_FOUND, "", "volume", "import", "nope", "{tmp}/small.img"),
                failure("unknown volume: export", ExitCode.NOT_FOUND, "", "volume", "export", "nope", "{tmp}/x.img"),
                failure("unknown volume: clone", ExitCode.NOT_FOUND, "", "volume", "clone", "nope", "copy"),
                failure("unknown volume: snapshot ls", ExitCode.NOT_FOUND, "", "snapshot", "ls", "nope"),
                failure("unknown volume: snapshot create", ExitCode.NOT_FOUND, "", "snapshot", "create", "nope", "s"),
                failure("unknown snapshot: export", ExitCode.NOT_FOUND, "", "volume", "export", "vv@nope", "{tmp}/x.img"),
                failure("unknown snapshot: clone", ExitCode.NOT_FOUND, "", "volume", "clone", "vv@nope", "copy"),
                failure("unknown snapshot: revert", ExitCode.NOT_FOUND, "", "snapshot", "revert", "vv", "nope"),
                failure("unknown snapshot: rm", ExitCode.NOT_FOUND, "", "snapshot", "rm", "vv", "nope"),
                failure("unknown snapshot: diff to", ExitCode.NOT_FOUND, "", "snapshot", "diff", "vv", "nope"),
                failure("unknown snapshot: diff from", ExitCode.NOT_FOUND, "", "snapshot", "diff", "vv", "nope", "s"),
                failure("import file missing", ExitCode.NOT_FOUND, "does not exist", "volume", "import", "vv", "{tmp}/missing.img"),
                failure("import file too big", ExitCode.FAILED_PRECONDITION, "does not fit", "volume", "import", "vv", "{tmp}/big.img"),
                failure("import past the end", ExitCode.FAILED_PRECONDITION, "does not fit", "volume", "import", "vv", "{tmp}/small.img", "--offset", "1Mi"),
                failure("export into a missing directory", ExitCode.FAILURE, "I/O error", "volume", "export", "vv", "{tmp}/no/such/dir/x.img"),
                failure("data dir is a file", ExitCode.FAILURE, "", "volume", "ls", "--data-dir", "{tmp}/a-file"),
                failure("unknown command", ExitCode.USAGE, "Unmatched argument at index 0: 'frobnicate'", "frobnicate"),
                failure("missing subcommand", ExitCode.USAGE, "missing subcommand: one of ", "snapshot"),
                failure("unknown option", ExitCode.USAGE, "Unknown option: '--bogus'", "volume", "ls", "--bogus"),
                failure("label without =", ExitCode.USAGE, "KEY=VALUE", "snapshot", "create", "vv", "s2", "--label", "foo"),
                failure("diff with three snapshots", ExitCode.USAGE, "", "snapshot", "diff", "vv", "a", "b", "c"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("failures")
    void failsWithOneLineAndItsExitCode(String[] args, ExitCode expected, String message) {
        String[] resolved = Arrays.stream(args).map(a -> a.replace("{tmp}", tmp.toString())).toArray(String[]::new);

        Cli.Result result = cli.run(resolved);

        assertThat(result.exitCode()).as("exit code; stderr: %s", result.err()).isEqualTo(expected.status);
        assertThat(result.out()).as("stdout").isEmpty();
        assertThat(result.err().lines()).as("stderr").singleElement().asString()
                .startsWith("strata: ")
                .contains(message)
                .doesNotContain("Exception", "\tat ");
    }

    @Test
    void dataDirectoryInUse() throws IOException {
        try (VolumeStore busy = VolumeStore.open(tmp.resolve("data"))) {
            assertThat(busy.list()).hasSize(1); // this open store holds the lock
            Cli.Result result = cli.run("volume", "ls");

            assertThat(result.exitCode()).as("stderr: %s", result.err()).isEqualTo(ExitCode.UNAVAILABLE.status);
            assertThat(result.err().lines()).singleElement().asString().startsWith("strata: ");
        }
    }

    private static Arguments failure(String name, ExitCode code, String message, String... args) {
        return arguments(named(name, args), code, message);
    }
}
