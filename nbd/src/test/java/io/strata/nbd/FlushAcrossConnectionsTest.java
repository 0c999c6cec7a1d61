package io.strata.nbd;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.domain.VolumeName;
import io.strata.engine.VolumeStore;
import io.strata.engine.storage.MemoryStorage;
import io.strata.nbd.protocol.Request;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Why the server may offer CAN_MULTI_CONN: a FLUSH on one connection makes durable the writes
 * answered on another, proved by crashing the engine's storage (everything not synced is lost)
 * right after the flush's reply and reopening what survived.
 */
class FlushAcrossConnectionsTest {
    private static final Path DATA = Path.of("/data");
    private static final VolumeName VOL = VolumeName.of("vol");

    @TempDir
    Path tmp;
    private final MemoryStorage storage = new MemoryStorage();
    private VolumeStore store;
    private NbdServer server;

    @BeforeEach
    void serve() throws Exception {
        store = VolumeStore.open(DATA, storage);
        store.create(VOL, 1 << 20);
        server = NbdServer.start(NbdConfig.of(tmp.resolve("nbd.sock"), Optional.empty()), new EngineExports(store));
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        store.close();
    }

    private RawClient opened() throws Exception {
        RawClient client = RawClient.connect(server.unixSocket());
        client.open("vol", false);
        return client;
    }

    /** What a restart after a crash now would read at {@code offset}. */
    private byte[] afterCrash(long offset, int length) throws Exception {
        try (VolumeStore survivor = VolumeStore.open(DATA, storage.copy())) {
            ByteBuffer data = ByteBuffer.allocate(length);
            survivor.open(VOL).readAt(data, offset);
            return data.array();
        }
    }

    @Test
    void aFlushOnOneConnectionPersistsWritesAnsweredOnAnother() throws Exception {
        try (RawClient writer = opened(); RawClient flusher = opened(); RawClient other = opened()) {
            writer.write(1, 0, new byte[] {1, 2, 3});
            assertThat(writer.readSimpleReply().error()).isZero();
            other.send(new Request.Write(2, 512 << 10, ByteBuffer.allocate(300 << 10).put(0, (byte) 7), false)); // in the background
            assertThat(other.readSimpleReply().error()).isZero();
            flusher.send(new Request.Flush(3));
            assertThat(flusher.readSimpleReply().error()).isZero();
            assertThat(afterCrash(0, 3)).containsExactly(1, 2, 3);
            assertThat(afterCrash(512 << 10, 1)).containsExactly(7);
        }
    }

    @Test
    void withoutAFlushTheCrashLosesTheWrite() throws Exception {
        try (RawClient writer = opened()) {
            writer.write(1, 0, new byte[] {1, 2, 3});
            assertThat(writer.readSimpleReply().error()).isZero();
            assertThat(writer.read(2, 0, 3)).containsExactly(1, 2, 3);
            assertThat(afterCrash(0, 3)).as("the test can tell durable from not").containsExactly(0, 0, 0);
        }
    }

    @Test
    void fuaMakesItsOwnWriteDurable() throws Exception {
        try (RawClient writer = opened()) {
            writer.send(new Request.Write(1, 4096, ByteBuffer.wrap(new byte[] {4, 5}), true));
            assertThat(writer.readSimpleReply().error()).isZero();
            assertThat(afterCrash(4096, 2)).containsExactly(4, 5);
        }
    }
}
