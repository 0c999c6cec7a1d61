package io.strata.nbd;

import io.strata.domain.StrataException;
import io.strata.nbd.protocol.Protocol;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Where and how the NBD server listens.
 *
 * @param unixSocket          the unix socket to listen on; a stale socket file there is replaced,
 *                            a live one (another server answers) is an error. Created with mode 0600:
 *                            whoever can connect can read and write every volume
 * @param tcp                 also listen on TCP, e.g. {@link #loopback(int)}; port 0 picks a free one
 * @param maxConnections      connections served at once to the server's own user on the unix socket
 *                            (the node's attachments, the CLI), and as many again to everyone else
 *                            (TCP peers, other users), so that others can never crowd out the node;
 *                            more are closed as soon as accepted
 * @param maxConnectionsPerClient connections one client other than the server's own user (on TCP an
 *                            address, on the unix socket a user) may hold at once, so that no client
 *                            can take all of {@code maxConnections} and lock the others out; more are
 *                            closed as soon as accepted
 * @param maxRequestsInFlight requests of one connection being worked on in the background at once;
 *                            past it the server stops reading that connection's socket
 * @param maxBytesInFlight    payload bytes those requests may hold at once (at least
 *                            {@link Protocol#MAX_PAYLOAD}, so that the largest request fits)
 * @param handshakeTimeout    a client that has not chosen an export by then is disconnected: a
 *                            connection that never finishes its handshake holds a slot for nothing
 * @param stopTimeout         how long {@link NbdServer#close()} waits for requests in flight
 */
public record NbdConfig(Path unixSocket, Optional<InetSocketAddress> tcp, int maxConnections, int maxConnectionsPerClient,
                        int maxRequestsInFlight, int maxBytesInFlight, Duration handshakeTimeout, Duration stopTimeout) {
    /** Connections served at once to the server's own user, and to everyone else, by default. */
    public static final int DEFAULT_MAX_CONNECTIONS = 256;
    /**
     * Connections of one client, by default: far more than a client needs (the kernel's nbd-client
     * opens one per CPU with {@code -C}, qemu and nbdcopy a handful), far fewer than the total.
     */
    public static final int DEFAULT_MAX_CONNECTIONS_PER_CLIENT = 32;
    /** How long a client may take to choose an export, by default. */
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

    public NbdConfig {
        Objects.requireNonNull(unixSocket, "unixSocket");
        Objects.requireNonNull(tcp, "tcp");
        if (maxConnections < 1 || maxConnectionsPerClient < 1 || maxRequestsInFlight < 1) {
            throw new StrataException.InvalidArgument("NBD limits must be positive: got " + maxConnections
                    + " connections, " + maxConnectionsPerClient + " per client and " + maxRequestsInFlight + " requests in flight");
        }
        if (maxConnectionsPerClient > maxConnections) {
            throw new StrataException.InvalidArgument("NBD connections per client (" + maxConnectionsPerClient
                    + ") cannot exceed the connections in all (" + maxConnections + ")");
        }
        if (maxBytesInFlight < Protocol.MAX_PAYLOAD) {
            throw new StrataException.InvalidArgument("NBD bytes in flight must be at least " + Protocol.MAX_PAYLOAD
                    + " (the largest request), got " + maxBytesInFlight);
        }
        if (handshakeTimeout.isNegative() || handshakeTimeout.isZero() || stopTimeout.isNegative()) {
            throw new StrataException.InvalidArgument("NBD timeouts must be positive");
        }
    }

    /** Listens on {@code unixSocket} (and on {@code tcp} if present) with the default limits. */
    public static NbdConfig of(Path unixSocket, Optional<InetSocketAddress> tcp) {
        return new NbdConfig(unixSocket, tcp, DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_CONNECTIONS_PER_CLIENT, 64, 128 << 20,
                DEFAULT_HANDSHAKE_TIMEOUT, Duration.ofSeconds(30));
    }

    /** These limits with {@code total} connections in all and {@code perClient} per client. */
    public NbdConfig withConnectionLimits(int total, int perClient) {
        return new NbdConfig(unixSocket, tcp, total, perClient, maxRequestsInFlight, maxBytesInFlight, handshakeTimeout, stopTimeout);
    }

    /** These limits with another handshake timeout. */
    public NbdConfig withHandshakeTimeout(Duration timeout) {
        return new NbdConfig(unixSocket, tcp, maxConnections, maxConnectionsPerClient, maxRequestsInFlight, maxBytesInFlight, timeout,
                stopTimeout);
    }

    /** 127.0.0.1 at {@code port}: TCP that only this machine reaches. */
    public static InetSocketAddress loopback(int port) {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }
}
