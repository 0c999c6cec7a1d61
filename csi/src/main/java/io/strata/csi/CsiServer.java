package io.strata.csi;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import java.io.IOException;
import java.net.ConnectException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves CSI services on a unix domain socket, as the spec requires of a plugin.
 *
 * <p>Starting: the socket's parent directories are created; a socket file left behind by a crashed
 * plugin is removed, but if a server still answers on it, or the path is not a socket at all, start
 * refuses rather than steal or destroy it. The socket is made {@code rw-rw----}: the sidecars that
 * share it run as the same user or, with an {@code fsGroup}, the same group, and nobody else may send
 * the plugin requests.
 *
 * <p>Every call runs on its own virtual thread, so a handler may block on disk or on the backup
 * target without holding a platform thread. Every call also passes the two interceptors: errors that
 * escape a handler are mapped by {@link GrpcErrors}, and each call is logged without its contents.
 *
 * <p>Stopping: new calls are refused at once, calls in flight get until the deadline to finish and are
 * then cancelled, and the socket file is removed.
 */
public final class CsiServer implements AutoCloseable {

    /** How long {@link #close()} lets calls in flight finish. */
    public static final Duration DEFAULT_GRACE = Duration.ofSeconds(10);

    private static final Logger LOG = LoggerFactory.getLogger(CsiServer.class);
    private static final Set<PosixFilePermission> SOCKET_PERMISSIONS = PosixFilePermissions.fromString("rw-rw----");
    /** {@code S_IFMT} and {@code S_IFSOCK} of {@code stat(2)}, to tell a socket from a fifo or device. */
    private static final int FILE_TYPE_MASK = 0170000;
    private static final int SOCKET_TYPE = 0140000;
    /** After the grace period, how long cancelled calls and the event loops get to wind down. */
    private static final Duration FORCED_STOP_WAIT = Duration.ofSeconds(5);

    private final CsiEndpoint endpoint;
    private final Server server;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final ExecutorService handlers;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final CompletableFuture<Boolean> stopped = new CompletableFuture<>();

    private CsiServer(CsiEndpoint endpoint, Server server, EventLoopGroup boss, EventLoopGroup workers,
            ExecutorService handlers) {
        this.endpoint = endpoint;
        this.server = server;
        this.boss = boss;
        this.workers = workers;
        this.handlers = handlers;
    }

    /**
     * Binds {@code endpoint} and starts serving {@code services}.
     *
     * @throws IOException if another server answers on the socket, the path is something other than a
     *     socket, or the socket cannot be created; the message says which and what to do
     */
    public static CsiServer start(CsiEndpoint endpoint, List<? extends BindableService> services) throws IOException {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(services, "services");
        requireEpoll();
        Path socket = endpoint.socketPath();
        Files.createDirectories(socket.getParent());
        removeStaleSocket(endpoint);

        EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        // CSI traffic is a few calls a second; the work happens on the handlers' virtual threads
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(2, EpollIoHandler.newFactory());
        ExecutorService handlers = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("csi-call-", 0).factory());
        try {
            NettyServerBuilder builder = NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                    .channelType(EpollServerDomainSocketChannel.class)
                    .bossEventLoopGroup(boss)
                    .workerEventLoopGroup(workers)
                    .executor(handlers)
                    // gRPC asks for TCP keep-alive, which a unix socket does not have: netty would warn
                    // on every connection. null removes the option.
                    .withChildOption(ChannelOption.SO_KEEPALIVE, null)
                    // the interceptor added last runs first: the log must see the status the mapping chose
                    .intercept(new ErrorMappingInterceptor())
                    .intercept(new RpcLogInterceptor());
            services.forEach(builder::addService);
            Server server = builder.build().start();
            try {
                // Until here the socket has the umask's permissions. The directory it lives in (the
                // kubelet's plugin directory, writable by root only) keeps others out in that instant.
                Files.setPosixFilePermissions(socket, SOCKET_PERMISSIONS);
            } catch (IOException | RuntimeException e) {
                server.shutdownNow();
                throw e;
            }
            LOG.info("serving CSI on {}", endpoint);
            warnIfFramesAreLogged();
            return new CsiServer(endpoint, server, boss, workers, handlers);
        } catch (IOException | RuntimeException e) {
            release(boss, workers, handlers);
            throw new IOException("cannot serve CSI on " + endpoint + ": " + e.getMessage(), e);
        }
    }

    /** Where this server listens. */
    public CsiEndpoint endpoint() {
        return endpoint;
    }

    /**
     * Stops serving: refuses new calls, lets calls in flight finish within {@code grace}, cancels the
     * rest, and removes the socket file. Safe to call more than once and from several threads: later
     * calls wait for the first and give its answer.
     *
     * @return whether every call in flight finished within {@code grace}
     */
    public boolean stop(Duration grace) {
        Objects.requireNonNull(grace, "grace");
        if (!stopping.compareAndSet(false, true)) {
            return stopped.join();
        }
        boolean finished = false;
        server.shutdown();
        try {
            finished = server.awaitTermination(grace.toNanos(), TimeUnit.NANOSECONDS);
            if (!finished) {
                LOG.warn("CSI calls still running after {} ms: cancelling them", grace.toMillis());
                server.shutdownNow();
                server.awaitTermination(FORCED_STOP_WAIT.toNanos(), TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        } finally {
            release(boss, workers, handlers);
            removeSocket();
            stopped.complete(finished);
        }
        LOG.info("stopped serving CSI on {}", endpoint);
        return finished;
    }

    /** Blocks until the server has stopped, e.g. in {@code main} after wiring. */
    public void awaitTermination() throws InterruptedException {
        server.awaitTermination();
    }

    /** {@link #stop(Duration)} with {@link #DEFAULT_GRACE}. */
    @Override
    public void close() {
        stop(DEFAULT_GRACE);
    }

    /**
     * At DEBUG, gRPC's netty transport logs every HTTP/2 frame: headers in clear and request bodies as
     * hex, which for CSI means secrets. Nothing here can lower another library's level, so say it loudly.
     */
    private static void warnIfFramesAreLogged() {
        for (String frameLogger : List.of("io.grpc.netty.NettyServerHandler", "io.grpc.netty.NettyClientHandler")) {
            if (LoggerFactory.getLogger(frameLogger).isDebugEnabled()) {
                LOG.warn("logger {} is at DEBUG: it writes every CSI request to the log, secrets included;"
                        + " set it to INFO or above", frameLogger);
            }
        }
    }

    private static void requireEpoll() throws IOException {
        if (!Epoll.isAvailable()) {
            throw new IOException("cannot serve CSI: unix domain sockets need netty's native epoll transport,"
                    + " which is not available here (" + Epoll.unavailabilityCause() + ")");
        }
    }

    /**
     * A socket file whose server is gone is what a crash leaves behind: connecting to it is refused.
     * Anything else at the path is somebody's, and is left alone.
     */
    private static void removeStaleSocket(CsiEndpoint endpoint) throws IOException {
        Path socket = endpoint.socketPath();
        int mode;
        try {
            mode = (Integer) Files.getAttribute(socket, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return;
        }
        if ((mode & FILE_TYPE_MASK) != SOCKET_TYPE) {
            throw new IOException("cannot serve CSI on " + endpoint + ": " + socket
                    + " exists and is not a socket; move it away or choose another endpoint");
        }
        boolean live;
        try (SocketChannel _ = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            live = true;
        } catch (ConnectException refused) {
            live = false;
        } catch (IOException e) {
            throw new IOException("cannot serve CSI on " + endpoint + ": cannot tell whether " + socket
                    + " is in use (" + e.getMessage() + ")", e);
        }
        if (live) {
            throw new IOException("cannot serve CSI on " + endpoint + ": another server is listening on " + socket
                    + "; stop it first, or choose another endpoint");
        }
        LOG.info("removing stale CSI socket {}: nothing listens on it", socket);
        Files.deleteIfExists(socket);
    }

    /** Netty deletes the socket path when it closes the listening channel; this covers its failing to. */
    private void removeSocket() {
        Path socket = endpoint.socketPath();
        try {
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            LOG.warn("cannot remove CSI socket {}: {}", socket, e.toString());
        }
    }

    private static void release(EventLoopGroup boss, EventLoopGroup workers, ExecutorService handlers) {
        boss.shutdownGracefully(0, FORCED_STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        workers.shutdownGracefully(0, FORCED_STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        // handlers of cancelled calls may still run: interrupt them so that they stop early
        handlers.shutdownNow();
        try {
            boss.terminationFuture().await(FORCED_STOP_WAIT.toMillis());
            workers.terminationFuture().await(FORCED_STOP_WAIT.toMillis());
            handlers.awaitTermination(FORCED_STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
