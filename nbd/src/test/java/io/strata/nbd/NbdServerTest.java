package io.strata.nbd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.domain.StrataException;
import io.strata.nbd.protocol.NbdError;
import io.strata.nbd.protocol.Protocol;
import io.strata.nbd.protocol.Request;
import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server with a raw client and in-memory exports: hostile and broken clients lose only their
 * own connection, requests are pipelined within bounds, replies may overtake each other, leases
 * are given back, and the server stops gracefully.
 */
class NbdServerTest {
    private static final Duration SOON = Duration.ofSeconds(5);
    private static final long SIZE = 1 << 20;

    @TempDir
    Path tmp;
    private final MemoryExports exports = new MemoryExports();
    private MemoryExports.MemoryDevice vol;
    private NbdServer server;

    @BeforeEach
    void exports() {
        vol = exports.add("vol", SIZE, false);
        exports.add("ro", SIZE, true);
    }

    @AfterEach
    void stop() throws IOException {
        vol.flushGate.countDown();
        if (server != null) {
            server.close();
        }
    }

    private NbdConfig config() {
        return NbdConfig.of(tmp.resolve("nbd.sock"), Optional.empty());
    }

    private void start(NbdConfig config) throws IOException {
        server = NbdServer.start(config, exports);
    }

    private RawClient client() throws IOException {
        return RawClient.connect(server.unixSocket());
    }

    private RawClient opened(String name) throws IOException {
        RawClient client = client();
        assertThat(client.open(name, false)).isEqualTo(SIZE);
        return client;
    }

    /** A client that keeps working while others misbehave. */
    private void assertServesOthers() throws IOException {
        try (RawClient good = opened("vol")) {
            good.write(77, 4096, new byte[] {9, 9});
            assertThat(good.readSimpleReply()).isEqualTo(new RawClient.SimpleReply(0, 77));
            assertThat(good.read(78, 4096, 2)).containsExactly(9, 9);
        }
    }

    private static ByteBuffer header(int magic, int flags, int command, long handle, long offset, int length) {
        return ByteBuffer.allocate(28).putInt(magic).putShort((short) flags).putShort((short) command).putLong(handle)
                .putLong(offset).putInt(length).flip();
    }

    @Test
    void badMagicClosesThatConnectionOnly() throws Exception {
        start(config());
        try (RawClient bystander = opened("vol"); RawClient hostile = opened("vol")) {
            bystander.write(1, 0, new byte[] {1, 2, 3});
            assertThat(bystander.readSimpleReply().error()).isZero();
            hostile.send(header(0x12345678, 0, Request.WRITE, 1, 0, 3));
            assertThat(hostile.closedByServer(SOON)).isTrue();
            assertThat(bystander.read(2, 0, 3)).containsExactly(1, 2, 3);
        }
        assertServesOthers();
        assertThat(vol.read(0, 3)).containsExactly(1, 2, 3);
    }

    @Test
    void oversizedPayloadClosesTheConnectionBeforeReadingIt() throws Exception {
        start(config());
        try (RawClient hostile = opened("vol")) {
            hostile.send(header(Protocol.REQUEST_MAGIC, 0, Request.WRITE, 1, 0, Protocol.MAX_PAYLOAD + 1));
            assertThat(hostile.closedByServer(SOON)).isTrue();
        }
        try (RawClient hostile = opened("vol")) {
            hostile.send(header(Protocol.REQUEST_MAGIC, 0, Request.READ, 1, 0, -1));
            assertThat(hostile.closedByServer(SOON)).isTrue();
        }
        assertServesOthers();
    }

    @Test
    void unknownCommandClosesTheConnection() throws Exception {
        start(config());
        try (RawClient hostile = opened("vol")) {
            hostile.send(header(Protocol.REQUEST_MAGIC, 0, 42, 1, 0, 0));
            assertThat(hostile.closedByServer(SOON)).isTrue();
        }
        assertServesOthers();
    }

    @Test
    void garbageInTheHandshakeClosesTheConnection() throws Exception {
        start(config());
        try (RawClient hostile = client()) {
            hostile.read(18);
            hostile.send(ByteBuffer.wrap("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes()));
            assertThat(hostile.closedByServer(SOON)).isTrue();
        }
        try (RawClient hostile = client()) {
            hostile.greet(false);
            hostile.send(ByteBuffer.allocate(16).putLong(Protocol.OPTION_MAGIC).putInt(1).putInt(Integer.MAX_VALUE).flip());
            assertThat(hostile.closedByServer(SOON)).isTrue();
        }
        assertServesOthers();
    }

    @Test
    void clientVanishingMidPayloadChangesNothing() throws Exception {
        start(config());
        try (RawClient quitter = opened("vol")) {
            quitter.send(header(Protocol.REQUEST_MAGIC, 0, Request.WRITE, 1, 0, 8192));
            quitter.send(ByteBuffer.wrap(new byte[] {5, 5, 5, 5}));
        }
        try (RawClient quitter = opened("vol")) {
            quitter.send(header(Protocol.REQUEST_MAGIC, Protocol.CMD_FLAG_FUA, Request.WRITE, 1, 0, 1 << 20));
            quitter.send(ByteBuffer.wrap(new byte[] {5, 5, 5, 5}));
        }
        awaitNoLeases();
        assertThat(vol.read(0, 4)).containsOnly(0);
        assertServesOthers();
    }

    @Test
    void wellFramedBadRequestsAreAnsweredAndTheConnectionGoesOn() throws Exception {
        start(config());
        try (RawClient client = opened("vol")) {
            client.send(header(Protocol.REQUEST_MAGIC, 0x40, Request.READ, 1, 0, 512));
            assertThat(client.readSimpleReply()).isEqualTo(new RawClient.SimpleReply(NbdError.EINVAL.code(), 1));
            client.send(new Request.Read(2, SIZE - 1, 2, false, false));
            assertThat(client.readSimpleReply()).isEqualTo(new RawClient.SimpleReply(NbdError.EINVAL.code(), 2));
            client.send(new Request.BlockStatus(3, 0, 4096, false));
            assertThat(client.readSimpleReply()).as("no context was negotiated")
                    .isEqualTo(new RawClient.SimpleReply(NbdError.EINVAL.code(), 3));
            assertThat(client.read(4, 0, 1)).containsExactly(0);
        }
    }

    @Test
    void writesToAReadOnlyExportAreRefusedAndTheirPayloadSkipped() throws Exception {
        start(config());
        try (RawClient client = opened("ro")) {
            client.write(1, 0, new byte[] {1, 2, 3});
            assertThat(client.readSimpleReply()).isEqualTo(new RawClient.SimpleReply(NbdError.EPERM.code(), 1));
            client.send(new Request.Write(2, 0, ByteBuffer.allocate(1 << 20), true));
            assertThat(client.readSimpleReply()).isEqualTo(new RawClient.SimpleReply(NbdError.EPERM.code(), 2));
            client.send(new Request.Trim(3, 0, 4096, false));
            assertThat(client.readSimpleReply()).isEqualTo(new RawClient.SimpleReply(NbdError.EPERM.code(), 3));
            assertThat(client.read(4, 0, 3)).containsExactly(0, 0, 0);
        }
    }

    @Test
    void countersFollowWhatIsServed() throws Exception {
        NbdCounters counters = new NbdCounters();
        server = NbdServer.start(config(), exports, counters);
        assertThat(server.counters()).isSameAs(counters);
        try (RawClient client = opened("vol"); RawClient readOnly = client()) {
            assertThat(readOnly.open("ro", false)).isEqualTo(SIZE);
            client.write(1, 0, new byte[] {1, 2, 3});
            assertThat(client.readSimpleReply().error()).isZero();
            assertThat(client.read(2, 0, 4096)).hasSize(4096);
            client.send(new Request.Flush(3));
            assertThat(client.readSimpleReply().error()).isZero();
            client.send(new Request.Trim(4, 4096, 4096, false));
            assertThat(client.readSimpleReply().error()).isZero();
            client.send(new Request.Read(5, SIZE - 1, 2, false, false));
            assertThat(client.readSimpleReply().error()).as("beyond the end").isEqualTo(NbdError.EINVAL.code());
            readOnly.write(6, 0, new byte[] {1});
            assertThat(readOnly.readSimpleReply().error()).isEqualTo(NbdError.EPERM.code());

            NbdCounters.Snapshot seen = counters.snapshot();
            assertThat(seen.connections()).isEqualTo(2);
            assertThat(seen.openConnections()).isEqualTo(2);
            assertThat(seen.writes()).isEqualTo(1);
            assertThat(seen.bytesWritten()).isEqualTo(3);
            assertThat(seen.reads()).isEqualTo(1);
            assertThat(seen.bytesRead()).isEqualTo(4096);
            assertThat(seen.flushes()).isEqualTo(1);
            assertThat(seen.trims()).isEqualTo(1);
            assertThat(seen.errors()).as("the read beyond the end and the write to a read-only export").isEqualTo(2);
        }
        long deadline = System.nanoTime() + SOON.toNanos();
        while (counters.snapshot().openConnections() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(counters.snapshot().openConnections()).isZero();
        assertThat(counters.snapshot().connections()).isEqualTo(2);
    }

    @Test
    void deviceFailuresBecomeErrorReplies() throws Exception {
        start(config());
        try (RawClient client = opened("vol")) {
            vol.failure = new IOException("No space left on device");
            client.write(1, 0, new byte[] {1});
            assertThat(client.readSimpleReply()).isEqualTo(new RawClient.SimpleReply(NbdError.ENOSPC.code(), 1));
            vol.failure = new IOException("disk on fire");
            client.send(new Request.Read(2, 0, 1, false, false));
            assertThat(client.readSimpleReply()).isEqualTo(new RawClient.SimpleReply(NbdError.EIO.code(), 2));
            client.send(new Request.Flush(3));
            assertThat(client.readSimpleReply()).isEqualTo(new RawClient.SimpleReply(NbdError.EIO.code(), 3));
            vol.failure = null;
            assertThat(client.read(4, 0, 1)).containsExactly(0);
        }
    }

    @Test
    void aQuickReplyOvertakesASlowOne() throws Exception {
        start(config());
        vol.flushGate = new CountDownLatch(1);
        try (RawClient client = opened("vol")) {
            client.send(new Request.Flush(1));
            client.send(new Request.Read(2, 0, 4, false, false));
            assertThat(client.readSimpleReply()).isEqualTo(new RawClient.SimpleReply(0, 2));
            client.read(4);
            vol.flushGate.countDown();
            assertThat(client.readSimpleReply()).isEqualTo(new RawClient.SimpleReply(0, 1));
        }
    }

    @Test
    void requestsInFlightAreBounded() throws Exception {
        start(new NbdConfig(tmp.resolve("nbd.sock"), Optional.empty(), 8, 8, 2, Protocol.MAX_PAYLOAD, SOON, SOON));
        vol.flushGate = new CountDownLatch(1);
        try (RawClient client = opened("vol")) {
            for (long handle = 1; handle <= 3; handle++) {
                client.send(new Request.Flush(handle));
            }
            client.send(new Request.Read(4, 0, 4, false, false));
            // two flushes are in flight; the third waits for a slot, and the read behind it is not read yet
            assertThatThrownBy(() -> client.read(1, Duration.ofMillis(500))).hasMessageContaining("within");
        }
        try (RawClient client = opened("vol")) {
            client.send(new Request.Flush(5));
            vol.flushGate.countDown();
            assertThat(client.readSimpleReply().error()).isZero();
        }
    }

    @Test
    void disconnectWaitsForRepliesInFlight() throws Exception {
        start(config());
        vol.flushGate = new CountDownLatch(1);
        try (RawClient client = opened("vol")) {
            client.send(new Request.Flush(1));
            client.send(new Request.Disconnect(2));
            vol.flushStarted.await(5, TimeUnit.SECONDS);
            vol.flushGate.countDown();
            assertThat(client.readSimpleReply()).isEqualTo(new RawClient.SimpleReply(0, 1));
            assertThat(client.closedByServer(SOON)).isTrue();
        }
        awaitNoLeases();
    }

    @Test
    void stopAnswersWhatWasReadThenCloses() throws Exception {
        start(config());
        vol.flushGate = new CountDownLatch(1);
        try (RawClient client = opened("vol")) {
            client.send(new Request.Flush(1));
            assertThat(vol.flushStarted.await(5, TimeUnit.SECONDS)).isTrue();
            CompletableFuture<Void> stopping = CompletableFuture.runAsync(() -> {
                try {
                    server.close();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            Thread.sleep(200);
            assertThat(stopping).isNotDone();
            vol.flushGate.countDown();
            assertThat(client.readSimpleReply()).isEqualTo(new RawClient.SimpleReply(0, 1));
            assertThat(client.closedByServer(SOON)).isTrue();
            stopping.get(5, TimeUnit.SECONDS);
        }
        assertThat(exports.openLeases.get()).isZero();
        assertThat(Files.exists(tmp.resolve("nbd.sock"))).isFalse();
        assertThatThrownBy(this::client).isInstanceOf(IOException.class);
    }

    @Test
    void stopCutsConnectionsStillBusyAfterTheTimeout() throws Exception {
        start(new NbdConfig(tmp.resolve("nbd.sock"), Optional.empty(), 8, 8, 8, Protocol.MAX_PAYLOAD, SOON, Duration.ofMillis(300)));
        vol.flushGate = new CountDownLatch(1);
        try (RawClient client = opened("vol")) {
            client.send(new Request.Flush(1));
            assertThat(vol.flushStarted.await(5, TimeUnit.SECONDS)).isTrue();
            long start = System.nanoTime();
            server.close();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
            assertThat(client.closedByServer(SOON)).isTrue();
        }
    }

    @Test
    void connectionsOverTheLimitAreClosed() throws Exception {
        start(new NbdConfig(tmp.resolve("nbd.sock"), Optional.empty(), 1, 1, 8, Protocol.MAX_PAYLOAD, SOON, SOON));
        try (RawClient first = opened("vol"); RawClient second = client()) {
            assertThat(second.closedByServer(SOON)).isTrue();
            assertThat(first.read(1, 0, 1)).containsExactly(0);
        }
    }

    @Test
    void idleHandshakeTimesOut() throws Exception {
        start(new NbdConfig(tmp.resolve("nbd.sock"), Optional.empty(), 8, 8, 8, Protocol.MAX_PAYLOAD, Duration.ofMillis(200), SOON));
        try (RawClient idle = client()) {
            idle.read(18);
            assertThat(idle.closedByServer(SOON)).isTrue();
        }
        try (RawClient busy = opened("vol")) {
            Thread.sleep(400);
            assertThat(busy.read(1, 0, 1)).as("the timeout is for the handshake only").containsExactly(0);
        }
    }

    @Test
    void exportNameToAnUnknownExportCloses() throws Exception {
        start(config());
        try (RawClient client = client()) {
            client.greet(false);
            client.sendOption(1, ByteBuffer.wrap("nope".getBytes()));
            assertThat(client.closedByServer(SOON)).isTrue();
        }
    }

    @Test
    void exportNameWithAndWithoutZeroes() throws Exception {
        start(config());
        for (boolean noZeroes : new boolean[] {true, false}) {
            try (RawClient client = client()) {
                client.greet(noZeroes);
                client.sendOption(1, ByteBuffer.wrap("vol".getBytes()));
                ByteBuffer reply = client.read(noZeroes ? 10 : 134);
                assertThat(reply.getLong(0)).isEqualTo(SIZE);
                assertThat(reply.getShort(8) & Protocol.HAS_FLAGS).isEqualTo(Protocol.HAS_FLAGS);
                assertThat(client.read(1, 0, 1)).containsExactly(0);
            }
        }
    }

    @Test
    void unknownOptionsAreUnsupportedAndTheHandshakeGoesOn() throws Exception {
        start(config());
        try (RawClient client = client()) {
            client.greet(true);
            client.sendOption(5, ByteBuffer.allocate(0)); // STARTTLS
            assertThat(client.readOptionReply().type()).isEqualTo(0x80000001);
            client.sendOption(99, ByteBuffer.wrap(new byte[] {1, 2, 3}));
            assertThat(client.readOptionReply()).satisfies(a -> {
                assertThat(a.option()).isEqualTo(99);
                assertThat(a.type()).isEqualTo(0x80000001);
            });
            client.sendOption(10, ByteBuffer.allocate(8)); // SET_META_CONTEXT before STRUCTURED_REPLY
            assertThat(client.readOptionReply().type()).isEqualTo(0x80000003);
            client.sendOption(3, ByteBuffer.allocate(0)); // LIST
            assertThat(client.readOptionReply().type()).isEqualTo(2);
            assertThat(client.readOptionReply().type()).isEqualTo(2);
            assertThat(client.readOptionReply().type()).isEqualTo(1);
            client.sendOption(2, ByteBuffer.allocate(0)); // ABORT
            assertThat(client.readOptionReply().type()).isEqualTo(1);
            assertThat(client.closedByServer(SOON)).isTrue();
        }
    }

    @Test
    void endlessOptionsEndTheConnection() throws Exception {
        start(config());
        try (RawClient client = client()) {
            client.greet(true);
            ByteBuffer options = ByteBuffer.allocate(17 * (Handshake.MAX_OPTIONS + 1));
            for (int i = 0; i <= Handshake.MAX_OPTIONS; i++) {
                options.putLong(Protocol.OPTION_MAGIC).putInt(3).putInt(1).put((byte) 0); // LIST with data: invalid
            }
            client.send(options.flip());
            assertThat(client.closedByServer(SOON)).isTrue();
        }
    }

    @Test
    void leasesAreGivenBackWhenConnectionsEnd() throws Exception {
        start(config());
        for (int i = 0; i < 5; i++) {
            RawClient client = opened(i % 2 == 0 ? "vol" : "ro");
            client.close();
        }
        try (RawClient client = client()) {
            client.greet(true);
            byte[] name = "vol".getBytes();
            client.sendOption(6, ByteBuffer.allocate(6 + name.length).putInt(name.length).put(name).putShort((short) 0).flip()); // INFO
            while (client.readOptionReply().type() != 1) {
                // info replies until the ACK
            }
        }
        awaitNoLeases();
    }

    @Test
    void staleSocketFileIsReplacedAndALiveOneRefused() throws Exception {
        Path path = tmp.resolve("nbd.sock");
        try (ServerSocketChannel other = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            other.bind(UnixDomainSocketAddress.of(path));
            assertThatThrownBy(() -> start(config())).isInstanceOf(StrataException.Unavailable.class)
                    .hasMessageContaining("another NBD server listens on");
        }
        assertThat(Files.exists(path)).as("a closed server leaves its socket file").isTrue();
        start(config());
        assertServesOthers();
        assertThat(Files.getPosixFilePermissions(path)).hasSize(2);
    }

    @Test
    void aRegularFileAtTheSocketPathIsRefused() throws Exception {
        Files.writeString(tmp.resolve("nbd.sock"), "precious");
        assertThatThrownBy(() -> start(config())).isInstanceOf(StrataException.InvalidArgument.class);
        assertThat(Files.readString(tmp.resolve("nbd.sock"))).isEqualTo("precious");
    }

    @Test
    void manyClientsAtOnce() throws Exception {
        start(config());
        var futures = new java.util.ArrayList<CompletableFuture<Void>>();
        for (int c = 0; c < 16; c++) {
            int id = c;
            futures.add(CompletableFuture.runAsync(() -> {
                try (RawClient client = opened("vol")) {
                    for (int i = 0; i < 50; i++) {
                        client.write(i, id * 4096L, new byte[] {(byte) id, (byte) i});
                        assertThat(client.readSimpleReply().error()).isZero();
                        assertThat(client.read(i, id * 4096L, 2)).containsExactly(id, i);
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }));
        }
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        awaitNoLeases();
    }

    private void awaitNoLeases() throws InterruptedException {
        long deadline = System.nanoTime() + SOON.toNanos();
        while (exports.openLeases.get() != 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(exports.openLeases.get()).as("open leases").isZero();
    }

    @Test
    void eofInTheMiddleOfARequestHeaderIsNotAnError() throws Exception {
        start(config());
        try (RawClient client = opened("vol")) {
            client.send(ByteBuffer.wrap(new byte[] {0x25, 0x60}));
        }
        awaitNoLeases();
        assertThatThrownBy(() -> {
            try (RawClient client = opened("vol")) {
                client.send(new Request.Disconnect(1));
                client.read(1);
            }
        }).isInstanceOf(EOFException.class);
    }

    @Test
    void anExportNotReadyIsRefusedWithTheReasonAndLeavesTheConnectionOpen() throws Exception {
        start(config());
        exports.notReady.put("vol", "volume 'vol' is still being restored from backup b (42%); wait until it is ready");
        try (RawClient client = client()) {
            client.greet(true);
            byte[] name = "vol".getBytes();
            client.sendOption(7, ByteBuffer.allocate(6 + name.length).putInt(name.length).put(name).putShort((short) 0).flip());
            RawClient.OptionAnswer refused = client.readOptionReply();
            assertThat(refused.type()).isEqualTo(io.strata.nbd.protocol.OptionError.UNKNOWN.code());
            assertThat(new String(refused.data().array(), java.nio.charset.StandardCharsets.UTF_8))
                    .isEqualTo("volume 'vol' is still being restored from backup b (42%); wait until it is ready");
            assertThat(exports.openLeases.get()).isZero();

            exports.notReady.remove("vol"); // the restore is done: the same connection may try again
            client.sendOption(7, ByteBuffer.allocate(6 + name.length).putInt(name.length).put(name).putShort((short) 0).flip());
            RawClient.OptionAnswer info;
            do {
                info = client.readOptionReply();
            } while (info.type() == 3);
            assertThat(info.type()).as("ACK of GO").isEqualTo(1);
            assertThat(client.read(1, 0, 1)).containsExactly(0);
        }
    }
}
