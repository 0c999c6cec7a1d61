package io.strata.server.api;

import static io.strata.server.api.ApiHarness.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.strata.server.http.ProblemType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Sizes typed by people ({@code "size": "10Gi"}) take the CLI's rules: the shared table of
 * {@code io.strata.domain.SizeTable}, case by case, over real HTTP.
 */
class SizesApiTest {
    @TempDir
    static Path tmp;
    private static ApiHarness api;
    private static final AtomicInteger names = new AtomicInteger();

    @BeforeAll
    static void start() throws IOException {
        api = ApiHarness.start(tmp);
    }

    @AfterAll
    static void stop() throws IOException {
        api.close();
    }

    @ParameterizedTest(name = "size {0} = {1} bytes")
    @MethodSource("io.strata.domain.SizeTable#accepted")
    void acceptsWhatTheCliAccepts(String text, long bytes) {
        String name = "v" + names.incrementAndGet();
        assertThat(api.post("/api/v1/volumes", Map.of("name", name, "size", text)).expect(201).get("sizeBytes").asLong())
                .isEqualTo(bytes);
    }

    @ParameterizedTest(name = "size {0} is refused")
    @MethodSource("io.strata.domain.SizeTable#refused")
    void refusesWhatTheCliRefusesWithTheSameWords(String text, String says) {
        String name = "r" + names.incrementAndGet();
        assertThat(assertProblem(api.post("/api/v1/volumes", Map.of("name", name, "size", text)), ProblemType.INVALID_ARGUMENT))
                .contains(says);
        assertThat(api.get("/api/v1/volumes/" + name).status()).as("nothing created").isEqualTo(404);
    }

    @Test
    void expandAndRestoreTakeTypedSizesToo() {
        api.post("/api/v1/volumes", Map.of("name", "grow", "size", "1Gi")).expect(201);
        assertThat(api.post("/api/v1/volumes/grow/expand", Map.of("size", "1.5Gi")).expect(200).get("sizeBytes").asLong())
                .isEqualTo(3L << 29);
        assertThat(assertProblem(api.post("/api/v1/volumes/grow/expand", Map.of("size", "2GB")), ProblemType.INVALID_ARGUMENT))
                .contains("write 2Gi");
    }

    @Test
    void sizeAndSizeBytesTogetherAreRefused() {
        assertThat(assertProblem(api.post("/api/v1/volumes", Map.of("name", "both", "size", "1Gi", "sizeBytes", 1 << 30)),
                ProblemType.INVALID_ARGUMENT)).contains("not both");
    }
}
