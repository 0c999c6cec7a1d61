package io.strata.nbd.interop;

import io.strata.domain.SnapshotName;
import io.strata.domain.VolumeName;
import io.strata.engine.Volume;
import io.strata.engine.VolumeStore;
import io.strata.nbd.EngineExports;
import io.strata.nbd.NbdConfig;
import io.strata.nbd.NbdServer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real volume store in a temporary directory, served over a unix socket and loopback TCP for
 * the length of one test.
 */
abstract class ServedStore {
    static final long SIZE = 64L << 20;

    @TempDir
    Path tmp;
    VolumeStore store;
    NbdServer server;

    @BeforeEach
    void serve() throws IOException {
        store = VolumeStore.open(tmp.resolve("data"));
        server = NbdServer.start(config(NbdConfig.of(tmp.resolve("nbd.sock"), Optional.of(NbdConfig.loopback(0)))),
                new EngineExports(store));
    }

    /** The server's configuration: the defaults, unless a test needs other limits. */
    NbdConfig config(NbdConfig defaults) {
        return defaults;
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
        store.close();
    }

    /** The NBD URI of an export over the unix socket. */
    String uri(String export) {
        return "nbd+unix:///" + export + "?socket=" + server.unixSocket();
    }

    /** The NBD URI of an export over TCP. */
    String tcpUri(String export) {
        return "nbd://127.0.0.1:" + server.tcpAddress().orElseThrow().getPort() + "/" + export;
    }

    Volume volume(String name) throws IOException {
        VolumeName volumeName = VolumeName.of(name);
        return store.exists(volumeName) ? store.open(volumeName) : store.create(volumeName, SIZE);
    }

    void snapshot(Volume volume, String name) throws IOException {
        volume.createSnapshot(SnapshotName.of(name), Map.of(), true);
    }

    static void fill(Volume volume, long offset, int length, byte value) throws IOException {
        ByteBuffer data = ByteBuffer.allocate(length);
        while (data.hasRemaining()) {
            data.put(value);
        }
        volume.writeAt(data.flip(), offset);
    }

    static byte[] read(Volume volume, long offset, int length) throws IOException {
        ByteBuffer data = ByteBuffer.allocate(length);
        volume.readAt(data, offset);
        return data.array();
    }
}
