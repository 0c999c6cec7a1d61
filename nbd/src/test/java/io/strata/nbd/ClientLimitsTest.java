package io.strata.nbd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Connection limits with real sockets: a client (on TCP an address: 127.0.0.2 plays the hog,
 * 127.0.0.1 the bystander) that opens more than its share gets no more, and the others are served;
 * the server's own user on the unix socket (the node's attachments) has connections of its own that
 * others cannot take; handshakes that stall are cut after the timeout and give their slots back.
 */
class ClientLimitsTest {
    private static final Duration SOON = Duration.ofSeconds(5);
    private static final int TOTAL = 8;
    private static final int PER_CLIENT = 3;
    private static final long SIZE = 1 << 20;

    @TempDir
    Path tmp;
    private final MemoryExports exports = new MemoryExports();
    private final List<RawClient> clients = new ArrayList<>();
    private NbdServer server;
    private InetAddress hog;
    private InetAddress bystander;

    @BeforeEach
    void setUp() throws IOException {
        exports.add("vol", SIZE, false);
        hog = InetAddress.getByName("127.0.0.2");
        bystander = InetAddress.getByName("127.0.0.1");
    }

    @AfterEach
    void tearDown() throws IOException {
        for (RawClient client : clients) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private void start(Duration handshakeTimeout) throws IOException {
        NbdConfig config = NbdConfig.of(tmp.resolve("nbd.sock"), Optional.of(NbdConfig.loopback(0)))
                .withConnectionLimits(TOTAL, PER_CLIENT).withHandshakeTimeout(handshakeTimeout);
        server = NbdServer.start(config, exports);
    }

    private RawClient tcp(InetAddress from) throws IOException {
        InetSocketAddress address = server.tcpAddress().orElseThrow();
        RawClient client = RawClient.connect(address, from);
        clients.add(client);
        return client;
    }

    private RawClient unix() throws IOException {
        RawClient client = RawClient.connect(server.unixSocket());
        clients.add(client);
        return client;
    }

    private static void assertServes(RawClient client) throws IOException {
        assertThat(client.open("vol", false)).isEqualTo(SIZE);
        client.write(1, 4096, new byte[] {7, 7});
        assertThat(client.readSimpleReply()).isEqualTo(new RawClient.SimpleReply(0, 1));
        assertThat(client.read(2, 4096, 2)).containsExactly(7, 7);
    }

    @Test
    void aClientOverItsShareIsRefusedAndAnotherIsStillServed() throws Exception {
        start(SOON);
        List<RawClient> admitted = new ArrayList<>();
        for (int i = 0; i < PER_CLIENT; i++) {
            RawClient held = tcp(hog);
            assertThat(held.open("vol", false)).isEqualTo(SIZE);
            admitted.add(held);
        }
        // the hog tries to take every slot the server has: the ones past its share are closed at once
        for (int i = PER_CLIENT; i < TOTAL; i++) {
            assertThat(tcp(hog).closedByServer(SOON)).as("connection %d of the hog", i + 1).isTrue();
        }
        assertThat(server.counters().refused(NbdCounters.Refusal.PER_CLIENT)).as("refusals counted for metrics")
                .isEqualTo(TOTAL - PER_CLIENT);
        assertThat(server.counters().refused(NbdCounters.Refusal.TOTAL)).isZero();
        assertServes(tcp(bystander));
        assertServes(unix());
        for (RawClient held : admitted) {
            assertThat(held.read(3, 4096, 2)).as("the hog's own connections still work").containsExactly(7, 7);
        }
    }

    @Test
    void aClientGetsItsSlotsBackWhenItsConnectionsEnd() throws Exception {
        start(SOON);
        List<RawClient> held = new ArrayList<>();
        for (int i = 0; i < PER_CLIENT; i++) {
            RawClient client = tcp(hog);
            assertThat(client.open("vol", false)).isEqualTo(SIZE);
            held.add(client);
        }
        assertThat(tcp(hog).closedByServer(SOON)).isTrue();
        held.getFirst().close();
        RawClient again = null;
        for (int attempt = 0; attempt < 50 && again == null; attempt++) { // the server notices the close a moment later
            RawClient candidate = tcp(hog);
            try {
                candidate.open("vol", false);
                again = candidate;
            } catch (IOException | AssertionError stillFull) {
                Thread.sleep(20);
            }
        }
        assertThat(again).as("a slot given back is taken again").isNotNull();
        assertServes(tcp(bystander));
    }

    @Test
    void theTotalStillBoundsEveryClientTogether() throws Exception {
        start(SOON);
        // TOTAL / PER_CLIENT + 1 clients of PER_CLIENT connections each would exceed the total
        List<InetAddress> peers = List.of(InetAddress.getByName("127.0.0.3"), InetAddress.getByName("127.0.0.4"),
                InetAddress.getByName("127.0.0.5"));
        int admitted = 0;
        for (InetAddress peer : peers) {
            for (int i = 0; i < PER_CLIENT; i++) {
                RawClient client = tcp(peer);
                if (admitted < TOTAL) {
                    assertThat(client.open("vol", false)).isEqualTo(SIZE);
                    admitted++;
                } else {
                    assertThat(client.closedByServer(SOON)).as("connection %d in all", admitted + 1).isTrue();
                }
            }
        }
        assertThat(admitted).isEqualTo(TOTAL);
        assertThat(server.counters().snapshot().refused()).as("one refusal, for the total")
                .containsEntry(NbdCounters.Refusal.TOTAL, 1L).containsEntry(NbdCounters.Refusal.PER_CLIENT, 0L)
                .containsEntry(NbdCounters.Refusal.HANDSHAKE_TIMEOUT, 0L);
    }

    @Test
    void theServersOwnUserIsNeverCrowdedOutByOthers() throws Exception {
        start(SOON);
        // others take every slot they may: TOTAL connections from several addresses
        int others = 0;
        for (int peer = 3; others < TOTAL; peer++) {
            for (int i = 0; i < PER_CLIENT && others < TOTAL; i++, others++) {
                assertThat(tcp(InetAddress.getByName("127.0.0." + peer)).open("vol", false)).isEqualTo(SIZE);
            }
        }
        assertThat(tcp(InetAddress.getByName("127.0.0.20")).closedByServer(SOON)).as("others are full").isTrue();
        // the node's attachments (this test runs as the server's user) still get TOTAL connections of their own
        for (int i = 0; i < TOTAL; i++) {
            assertThat(unix().open("vol", false)).as("own connection %d", i + 1).isEqualTo(SIZE);
        }
        assertThat(unix().closedByServer(SOON)).as("and no more than that").isTrue();
    }

    @Test
    void stalledHandshakesAreCutAfterTheTimeoutAndFreeTheirSlots() throws Exception {
        start(Duration.ofMillis(300));
        List<RawClient> stalled = new ArrayList<>();
        for (int i = 0; i < PER_CLIENT; i++) {
            RawClient client = tcp(hog);
            client.read(18); // the greeting; then nothing, ever
            stalled.add(client);
        }
        long start = System.nanoTime();
        for (RawClient client : stalled) {
            assertThat(client.closedByServer(SOON)).isTrue();
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(SOON);
        assertThat(server.counters().refused(NbdCounters.Refusal.HANDSHAKE_TIMEOUT)).isEqualTo(PER_CLIENT);
        RawClient after = tcp(hog);
        assertThat(after.open("vol", false)).as("the hog's slots came back when its handshakes were cut").isEqualTo(SIZE);
        Thread.sleep(500);
        assertThat(after.read(1, 0, 1)).as("the timeout is for the handshake only").containsExactly(0);
    }

    @Test
    void aHandshakeThatTricklesIsCutAllTheSame() throws Exception {
        start(Duration.ofMillis(300));
        RawClient slow = tcp(hog);
        slow.greet(false);
        long start = System.nanoTime();
        boolean closed = false;
        // one byte of an option now and then: never idle, never done
        for (int i = 0; i < 40 && !closed; i++) {
            try {
                slow.send(java.nio.ByteBuffer.wrap(new byte[] {0x49}));
            } catch (IOException cut) {
                closed = true;
                break;
            }
            closed = slow.closedByServer(Duration.ofMillis(50));
        }
        assertThat(closed).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    }

    /**
     * A second user, as a real process (run as {@code nobody} by setpriv; the socket is opened to it
     * for the test): it gets its share and no more, though the server's own user gets more.
     */
    @Test
    void anotherUserOnTheUnixSocketHasAShareLikeAnyClient() throws Exception {
        boolean root = "0".equals(output("id", "-u").strip());
        boolean tools = java.nio.file.Files.isExecutable(Path.of("/usr/bin/setpriv")) && java.nio.file.Files.isExecutable(Path.of("/usr/bin/python3"));
        String ci = System.getenv("CI");
        if (!(root && tools)) {
            String why = "needs root, /usr/bin/setpriv (util-linux) and /usr/bin/python3 to connect as a second user";
            if (ci != null && !ci.isBlank() && !ci.equalsIgnoreCase("false")) {
                org.junit.jupiter.api.Assertions.fail(why);
            }
            org.junit.jupiter.api.Assumptions.abort(why);
        }
        Path dir = java.nio.file.Files.createDirectories(tmp.resolve("shared"));
        java.nio.file.Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
        java.nio.file.Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
        server = NbdServer.start(NbdConfig.of(dir.resolve("nbd.sock"), Optional.empty()).withConnectionLimits(TOTAL, PER_CLIENT), exports);
        java.nio.file.Files.setPosixFilePermissions(server.unixSocket(), java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw-rw-"));
        // opens PER_CLIENT + 2 connections, counts those that were greeted, and holds them until the end
        String script = """
                import socket, sys
                greeted = 0
                held = []
                for i in range(int(sys.argv[2])):
                    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                    s.connect(sys.argv[1])
                    s.settimeout(5)
                    data = b""
                    try:
                        while len(data) < 18:
                            chunk = s.recv(18 - len(data))
                            if not chunk:
                                break
                            data += chunk
                    except OSError:
                        pass
                    if len(data) == 18:
                        greeted += 1
                    held.append(s)
                print(greeted)
                """;
        String greeted = output("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/python3", "-c", script,
                server.unixSocket().toString(), Integer.toString(PER_CLIENT + 2));
        assertThat(greeted.strip()).as("connections of user nobody that were served").isEqualTo(Integer.toString(PER_CLIENT));
        for (int i = 0; i < PER_CLIENT + 2; i++) {
            assertThat(unix().open("vol", false)).as("the server's own user is not held to that share").isEqualTo(SIZE);
        }
    }

    @Test
    void limitsThatCannotWorkAreRefused() {
        NbdConfig defaults = NbdConfig.of(tmp.resolve("nbd.sock"), Optional.empty());
        assertThat(defaults.maxConnections()).isEqualTo(256);
        assertThat(defaults.maxConnectionsPerClient()).isEqualTo(32);
        assertThat(defaults.handshakeTimeout()).isEqualTo(Duration.ofSeconds(10));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> defaults.withConnectionLimits(8, 9))
                .isExactlyInstanceOf(io.strata.domain.StrataException.InvalidArgument.class)
                .hasMessage("NBD connections per client (9) cannot exceed the connections in all (8)");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> defaults.withConnectionLimits(8, 0))
                .isExactlyInstanceOf(io.strata.domain.StrataException.InvalidArgument.class);
    }

    private static String output(String... argv) throws Exception {
        Process process = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        return out;
    }
}
