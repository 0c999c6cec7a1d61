package io.strata.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The CLI takes volume sizes by the shared table of {@code io.strata.domain.SizeTable}, as the REST API does. */
class CliSizesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicInteger names = new AtomicInteger();

    @TempDir
    static Path tmp;

    @ParameterizedTest(name = "--size {0} = {1} bytes")
    @MethodSource("io.strata.domain.SizeTable#accepted")
    void acceptsWhatTheApiAccepts(String text, long bytes) throws IOException {
        Cli cli = new Cli(tmp.resolve("data"));
        String name = "v" + names.incrementAndGet();
        cli.ok("volume", "create", name, "--size", text);
        assertThat(JSON.readTree(cli.ok("volume", "info", name, "--json")).get("sizeBytes").asLong()).isEqualTo(bytes);
    }

    @ParameterizedTest(name = "--size {0} is refused")
    @MethodSource("io.strata.domain.SizeTable#refused")
    void refusesWhatTheApiRefusesWithTheSameWords(String text, String says) {
        Cli cli = new Cli(tmp.resolve("data"));
        String name = "r" + names.incrementAndGet();
        Cli.Result result = cli.run("volume", "create", name, "--size", text);
        assertThat(result.exitCode()).as("stderr: %s", result.err()).isEqualTo(ExitCode.USAGE.status);
        assertThat(result.err()).contains(says);
        assertThat(cli.run("volume", "info", name).exitCode()).as("nothing created").isEqualTo(ExitCode.NOT_FOUND.status);
    }
}
