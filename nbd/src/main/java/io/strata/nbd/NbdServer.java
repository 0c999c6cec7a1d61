package io.strata.nbd;

import io.strata.domain.StrataException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An NBD server: listens on a unix socket and optionally on TCP, and serves each client on its own
 * thread, what {@link Exports} resolves its export name to.
 *
 * <p>A client that sends a malformed or hostile frame loses its connection; no other client, and
 * no data, notices. A client that opens too many connections, or never finishes its handshake,
 * cannot lock others out: see {@link ClientLimits} and {@link NbdConfig#handshakeTimeout()}.
 * {@link #close()} stops gracefully: no new connections, every connection answers the requests it
 * has read and closes, the rest are cut after {@link NbdConfig#stopTimeout()}.
 *
 * <p>Threads: one platform thread per connection reads requests and answers the quick ones
 * itself (a blocking read on a platform thread is the shortest path from the socket to the
 * device and back); slow requests run on virtual threads.
 */
public final class NbdServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(NbdServer.class.getName());

    private final NbdConfig config;
    private final Exports exports;
    private final ServerSocketChannel unix;
    private final Optional<ServerSocketChannel> tcp;
    private final List<Thread> acceptors = new ArrayList<>();
    private final Map<Connection, Thread> connections = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final BufferPool pool = new BufferPool();
    private final ExecutorService background = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("nbd-request-", 0).factory());
    private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1,
            Thread.ofPlatform().daemon().name("nbd-timer").factory());
    private final NbdCounters counters;
    private final ClientLimits limits;
    /** Who owns the unix socket: the user the server runs as. */
    private final Optional<UserPrincipal> serverUser;
    /** Refusals and stalled handshakes: what a hostile client can cause at any rate. */
    private final RateLimitedLog clientWarnings = new RateLimitedLog(LOG, Duration.ofSeconds(10), System::nanoTime);
    private volatile boolean closed;

    private NbdServer(NbdConfig config, Exports exports, ServerSocketChannel unix, Optional<ServerSocketChannel> tcp,
                      NbdCounters counters) {
        timer.setRemoveOnCancelPolicy(true); // one timer per connection: drop them as handshakes end
        this.config = config;
        this.counters = counters;
        this.exports = exports;
        this.unix = unix;
        this.tcp = tcp;
        this.limits = new ClientLimits(config.maxConnections(), config.maxConnectionsPerClient());
        this.serverUser = ownerOf(config.unixSocket());
    }

    /** Binds the sockets and starts serving. */
    public static NbdServer start(NbdConfig config, Exports exports) throws IOException {
        return start(config, exports, new NbdCounters());
    }

    /** Binds the sockets and starts serving, counting what it serves in {@code counters} (e.g. the process's metrics). */
    public static NbdServer start(NbdConfig config, Exports exports, NbdCounters counters) throws IOException {
        ServerSocketChannel unix = bindUnix(config.unixSocket());
        Optional<ServerSocketChannel> tcp = Optional.empty();
        try {
            if (config.tcp().isPresent()) {
                ServerSocketChannel channel = ServerSocketChannel.open();
                tcp = Optional.of(channel);
                channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                channel.bind(config.tcp().get());
            }
        } catch (IOException | RuntimeException e) {
            unix.close();
            Files.deleteIfExists(config.unixSocket());
            tcp.ifPresent(NbdServer::closeQuietly);
            throw e;
        }
        NbdServer server = new NbdServer(config, exports, unix, tcp, counters);
        server.accept(unix, "unix");
        tcp.ifPresent(channel -> server.accept(channel, "tcp"));
        LOG.log(System.Logger.Level.INFO, "NBD server listening on {0}{1}", config.unixSocket(),
                server.tcpAddress().map(a -> " and " + a).orElse(""));
        return server;
    }

    private static ServerSocketChannel bindUnix(Path path) throws IOException {
        if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            if (Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS) || Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
                throw new StrataException.InvalidArgument(path + " exists and is not a socket: give a path for the NBD socket");
            }
            boolean live;
            try {
                SocketChannel.open(UnixDomainSocketAddress.of(path)).close();
                live = true;
            } catch (IOException nobodyListens) {
                live = false;
            }
            if (live) {
                throw new StrataException.Unavailable("another NBD server listens on " + path + ": stop it, or use another socket path");
            }
            Files.delete(path); // left by a server that is gone
        }
        ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.bind(UnixDomainSocketAddress.of(path));
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
            return channel;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private static Optional<UserPrincipal> ownerOf(Path socket) {
        try {
            return Optional.of(Files.getOwner(socket, LinkOption.NOFOLLOW_LINKS));
        } catch (IOException | UnsupportedOperationException unknown) {
            return Optional.empty(); // then only root counts as the server's own user
        }
    }

    /** The unix socket the server listens on. */
    public Path unixSocket() {
        return config.unixSocket();
    }

    /** The TCP address it listens on (with the port picked, if 0 was asked for). */
    public Optional<InetSocketAddress> tcpAddress() {
        return tcp.map(channel -> {
            try {
                return (InetSocketAddress) channel.getLocalAddress();
            } catch (IOException e) {
                throw new StrataException.Internal("the TCP listener has no address", e);
            }
        });
    }

    /** What the server has served since it started. */
    public NbdCounters counters() {
        return counters;
    }

    private void accept(ServerSocketChannel listener, String kind) {
        Thread thread = Thread.ofPlatform().daemon().name("nbd-accept-" + kind).start(() -> {
            while (!closed) {
                SocketChannel channel;
                try {
                    channel = listener.accept();
                } catch (ClosedChannelException e) {
                    return;
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.WARNING, "accepting an NBD connection failed: {0}", e.toString());
                    continue;
                }
                admit(channel, kind);
            }
        });
        acceptors.add(thread);
    }

    private void admit(SocketChannel channel, String kind) {
        if (closed) {
            clientWarnings.warn("refusing an NBD connection: the server is stopping");
            closeQuietly(channel);
            return;
        }
        ClientLimits.Client client = ClientLimits.clientOf(channel, serverUser);
        Optional<ClientLimits.Refused> refused = limits.admit(client);
        if (refused.isPresent()) {
            counters.refuse(refused.get().reason()); // before the close: whoever sees the close sees the count
            clientWarnings.warn("refusing an NBD connection: " + refused.get().message());
            closeQuietly(channel);
            return;
        }
        try {
            if (kind.equals("tcp")) {
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            }
        } catch (IOException e) {
            limits.release(client);
            closeQuietly(channel);
            return;
        }
        long id = ids.incrementAndGet();
        Connection connection = new Connection(id, channel, exports, config, pool, background, counters);
        counters.connectionOpened();
        Thread thread = Thread.ofPlatform().daemon().name("nbd-connection-" + id).unstarted(() -> {
            try {
                connection.serve();
            } finally {
                connections.remove(connection);
                limits.release(client);
                counters.connectionClosed();
            }
        });
        connections.put(connection, thread);
        var deadline = timer.schedule(() -> {
            if (!connection.handshakeDone()) {
                counters.refuse(NbdCounters.Refusal.HANDSHAKE_TIMEOUT);
                clientWarnings.warn("NBD connection " + id + " from " + client.name() + " did not choose an export within "
                        + config.handshakeTimeout() + ": closing it");
                connection.abort();
            }
        }, config.handshakeTimeout().toMillis(), TimeUnit.MILLISECONDS);
        connection.onHandshakeDone(() -> deadline.cancel(false));
        thread.start();
    }

    /**
     * Stops: closes the listeners, lets every connection answer what it has read, and cuts those
     * still busy after the stop timeout. Idempotent.
     */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        closeQuietly(unix);
        tcp.ifPresent(NbdServer::closeQuietly);
        for (Thread acceptor : acceptors) {
            join(acceptor, 5_000);
        }
        connections.keySet().forEach(Connection::stop);
        long deadline = System.nanoTime() + config.stopTimeout().toNanos();
        for (Thread thread : List.copyOf(connections.values())) {
            join(thread, Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        }
        connections.keySet().forEach(Connection::abort);
        long grace = System.nanoTime() + 1_000_000_000L;
        for (Thread thread : List.copyOf(connections.values())) {
            join(thread, Math.max(1, (grace - System.nanoTime()) / 1_000_000));
        }
        if (!connections.isEmpty()) {
            // a device call that does not return holds its connection's thread; it ends when the call does
            LOG.log(System.Logger.Level.WARNING, "{0} NBD connections still wait for their device after the stop",
                    connections.size());
        }
        background.shutdown();
        timer.shutdownNow();
        Files.deleteIfExists(config.unixSocket());
        LOG.log(System.Logger.Level.INFO, "NBD server on {0} stopped", config.unixSocket());
    }

    private static void join(Thread thread, long millis) {
        try {
            thread.join(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(java.io.Closeable closeable) {
        try {
            closeable.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing: {0}", e.toString());
        }
    }
}
