package io.strata.csi;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.AbstractStub;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainSocketAddress;
import io.strata.csi.v1.ControllerGrpc;
import io.strata.csi.v1.IdentityGrpc;
import io.strata.csi.v1.NodeGrpc;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A CSI client over a real unix socket, as a sidecar would connect: for tests of any CSI service.
 * Every stub it hands out carries a deadline, so that a hung server fails a test instead of hanging
 * the build.
 */
public final class CsiClient implements AutoCloseable {

    /** Long enough for a slow CI machine, short enough to fail a hung call within a test run. */
    public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(20);

    private final ManagedChannel channel;
    private final EventLoopGroup eventLoop;
    private final Duration deadline;

    private CsiClient(ManagedChannel channel, EventLoopGroup eventLoop, Duration deadline) {
        this.channel = channel;
        this.eventLoop = eventLoop;
        this.deadline = deadline;
    }

    /** Connects (lazily, on the first call) to {@code endpoint}, the way the sidecars do. */
    public static CsiClient connect(CsiEndpoint endpoint) {
        return connect(endpoint, DEFAULT_DEADLINE);
    }

    /** Connects with a custom per-call deadline. */
    public static CsiClient connect(CsiEndpoint endpoint, Duration deadline) {
        EventLoopGroup eventLoop = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        ManagedChannel channel = NettyChannelBuilder.forAddress(new DomainSocketAddress(endpoint.socketPath().toString()))
                .channelType(EpollDomainSocketChannel.class)
                .eventLoopGroup(eventLoop)
                // no TCP keep-alive on a unix socket: without this netty warns on every connection
                .withOption(ChannelOption.SO_KEEPALIVE, null)
                .usePlaintext()
                .build();
        return new CsiClient(channel, eventLoop, deadline);
    }

    /** The channel, for async or future stubs. */
    public ManagedChannel channel() {
        return channel;
    }

    public IdentityGrpc.IdentityBlockingStub identity() {
        return withDeadline(IdentityGrpc.newBlockingStub(channel));
    }

    public ControllerGrpc.ControllerBlockingStub controller() {
        return withDeadline(ControllerGrpc.newBlockingStub(channel));
    }

    public NodeGrpc.NodeBlockingStub node() {
        return withDeadline(NodeGrpc.newBlockingStub(channel));
    }

    /** {@code stub} with this client's deadline, counted from now. */
    public <S extends AbstractStub<S>> S withDeadline(S stub) {
        return stub.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        channel.shutdown();
        try {
            if (!channel.awaitTermination(5, TimeUnit.SECONDS)) {
                channel.shutdownNow();
                channel.awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            channel.shutdownNow();
            Thread.currentThread().interrupt();
        } finally {
            eventLoop.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
        }
    }
}
