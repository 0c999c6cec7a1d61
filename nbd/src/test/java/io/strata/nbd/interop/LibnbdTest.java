package io.strata.nbd.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Exact protocol semantics through libnbd's python binding: structured replies, block status,
 * FUA, errors on read-only exports and out-of-range requests, pipelining, options. Each case is
 * one function of {@code libnbd_checks.py}, run against a fresh volume {@code vol1} and its
 * snapshot {@code vol1@snap1}; the growable export against a fresh volume {@code vol2}.
 */
class LibnbdTest extends ServedStore {
    private Path script;

    @BeforeEach
    void tools() throws IOException {
        Tools.requirePythonNbd();
        script = tmp.resolve("libnbd_checks.py");
        try (InputStream in = LibnbdTest.class.getResourceAsStream("libnbd_checks.py")) {
            Files.copy(in, script);
        }
        snapshot(volume("vol1"), "snap1");
        volume("vol2");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"negotiation", "structured_read", "block_status", "block_status_needs_a_context", "fua_and_flush",
            "trim_and_zero", "read_only_refuses_writes", "out_of_range", "simple_replies", "pipelining", "multi_conn",
            "options", "unknown_export", "large_requests"})
    void check(String name) {
        String out = Tools.run(Tools.PYTHON, script.toString(), name, uri("vol1"), uri("vol1@snap1")).ok().stdout();
        assertThat(out).contains("ok " + name);
    }

    /** {@code growable:vol2} ({@code :} escaped, as in any URI) against the volume's plain export. */
    @Test
    void growableExport() {
        String out = Tools.run(Tools.PYTHON, script.toString(), "growable", uri("growable%3Avol2"), uri("vol2")).ok().stdout();
        assertThat(out).contains("ok growable");
    }
}
