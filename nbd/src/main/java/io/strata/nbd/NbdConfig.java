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
 * @param maxConnections      connections served at once; more are closed as soon as accepted
 * @param maxRequestsInFlight requests of one connection being worked on in the background at once;
 *                            past it the server stops reading that connection's socket
 * @param maxBytesInFlight    payload bytes those requests may hold at once (at least
 *                            {@link Protocol#MAX_PAYLOAD}, so that the largest request fits)
 * @param handshakeTimeout    a client that has not chosen an export by then is disconnected
 * @param stopTimeout         how long {@link NbdServer#close()} waits for requests in flight
 */
public record NbdConfig(Path unixSocket, Optional<InetSocketAddress> tcp, int maxConnections, int maxRequestsInFlight,
                        int maxBytesInFlight, Duration handshakeTimeout, Duration stopTimeout) {

    public NbdConfig {
        Objects.requireNonNull(unixSocket, "unixSocket");
        Objects.requireNonNull(tcp, "tcp");
        if (maxConnections < 1 || maxRequestsInFlight < 1) {
            throw new StrataException.InvalidArgument("NBD limits must be positive: got " + maxConnections
                    + " connections and " + maxRequestsInFlight + " requests in flight");
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
        return new NbdConfig(unixSocket, tcp, 256, 64, 128 << 20, Duration.ofSeconds(30), Duration.ofSeconds(30));
    }

    /** 127.0.0.1 at {@code port}: TCP that only this machine reaches. */
    public static InetSocketAddress loopback(int port) {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }
}
