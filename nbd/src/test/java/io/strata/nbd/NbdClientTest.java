package io.strata.nbd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.domain.StrataException;
import io.strata.engine.Extent;
import io.strata.nbd.client.NbdClient;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI's NBD client against the real server over a unix socket, on in-memory exports. */
class NbdClientTest {
    private static final int MiB = 1 << 20;

    @TempDir
    Path tmp;
    private final MemoryExports exports = new MemoryExports();
    private MemoryExports.MemoryDevice vol;
    private NbdServer server;

    @BeforeEach
    void start() throws IOException {
        vol = exports.add("vol", 40 * MiB, false); // over one request's 32 MiB
        vol.flushGate.countDown();
        exports.add("vol@snap", MiB, true);
        server = NbdServer.start(NbdConfig.of(tmp.resolve("nbd.sock"), Optional.empty()), exports);
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
    }

    @Test
    void writesReadsZeroesAndFindsTheDataAcrossSeveralRequests() throws Exception {
        byte[] data = new byte[34 * MiB + 777];
        new Random(9).nextBytes(data);
        try (NbdClient client = NbdClient.open(server.unixSocket(), "vol")) {
            assertThat(client.size()).isEqualTo(40L * MiB);
            assertThat(client.readOnly()).isFalse();
            client.writeAt(ByteBuffer.wrap(data), 4096 + 5);
            client.writeZeroes(8 * MiB, MiB);
            client.flush();
            ByteBuffer back = ByteBuffer.allocate(data.length);
            client.readAt(back, 4096 + 5);
            assertThat(back.position()).isEqualTo(data.length);
            byte[] expected = data.clone();
            java.util.Arrays.fill(expected, 8 * MiB - 4096 - 5, 9 * MiB - 4096 - 5, (byte) 0);
            assertThat(back.array()).isEqualTo(expected);
            assertThat(client.allocatedExtents()).as("the server's map, merged").isEqualTo(vol.allocated());
            assertThat(client.allocatedExtents().getFirst().offset()).isEqualTo(4096);
        }
        assertThat(vol.read(4096 + 5, 16)).isEqualTo(java.util.Arrays.copyOf(data, 16));
        for (int i = 0; i < 100 && exports.openLeases.get() > 0; i++) {
            Thread.sleep(50); // the server ends the session after the DISC it was sent
        }
        assertThat(exports.openLeases.get()).as("the connection ended").isZero();
    }

    @Test
    void anEmptyExportHasNoData() throws IOException {
        try (NbdClient client = NbdClient.open(server.unixSocket(), "vol@snap")) {
            assertThat(client.allocatedExtents()).isEmpty();
            assertThat(client.readOnly()).isTrue();
        }
    }

    @Test
    void failuresAreTypedAndSayWhat() throws IOException {
        try (NbdClient client = NbdClient.open(server.unixSocket(), "vol@snap")) {
            assertThatThrownBy(() -> client.writeAt(ByteBuffer.allocate(10), 0)).isInstanceOf(StrataException.FailedPrecondition.class)
                    .hasMessageContaining("'vol@snap' is read-only");
            assertThatThrownBy(() -> client.readAt(ByteBuffer.allocate(10), MiB - 5)).isInstanceOf(StrataException.OutOfRange.class);
            ByteBuffer still = ByteBuffer.allocate(4);
            client.readAt(still, 0);
            assertThat(still.array()).as("the connection goes on after refusals").containsOnly(0);
        }
        assertThatThrownBy(() -> NbdClient.open(server.unixSocket(), "nope")).isInstanceOf(StrataException.NotFound.class)
                .hasMessageContaining("'nope'");
        assertThatThrownBy(() -> NbdClient.open(tmp.resolve("none.sock"), "vol")).isInstanceOf(StrataException.Unavailable.class)
                .hasMessageContaining("is the server still running");
    }
}
