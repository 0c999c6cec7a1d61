package io.strata.nbd;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.SocketChannel;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/**
 * Who holds the server's connections, and whether one more may come: at most
 * {@link NbdConfig#maxConnections()} in all and {@link NbdConfig#maxConnectionsPerClient()} per
 * client. Without the second limit, one client that opens (or leaks) connections up to the total
 * locks every other client out, the node's own attachments included.
 *
 * <p>A client is a peer's identity as the kernel vouches for it: on the unix socket the peer's user
 * ({@code SO_PEERCRED}), on TCP the peer's address (its port changes with each connection).
 *
 * <p>Thread-safe: admissions come from the accepting threads, releases from connection threads.
 */
final class ClientLimits {
    private final int total;
    private final int perClient;
    private final Map<String, Integer> held = new HashMap<>();
    private int open;

    ClientLimits(int total, int perClient) {
        this.total = total;
        this.perClient = perClient;
    }

    /** The client a connected socket belongs to, e.g. {@code uid root} or {@code 127.0.0.1}. */
    static String clientOf(SocketChannel channel) {
        try {
            SocketAddress remote = channel.getRemoteAddress();
            if (remote instanceof InetSocketAddress inet) {
                return inet.getAddress().getHostAddress();
            }
            UnixDomainPrincipal peer = channel.getOption(ExtendedSocketOptions.SO_PEERCRED);
            return "uid " + peer.user().getName();
        } catch (IOException | UnsupportedOperationException unknown) {
            // a platform without peer credentials: every such client shares one allowance
            return "unknown peer";
        }
    }

    /**
     * Takes a connection slot for {@code client}; empty when it got one (give it back with
     * {@link #release}), else why not.
     */
    synchronized Optional<String> admit(String client) {
        int mine = held.getOrDefault(client, 0);
        if (open >= total) {
            return Optional.of("already " + total + " connections in all");
        }
        if (mine >= perClient) {
            return Optional.of(client + " holds " + perClient + " connections already, its maximum");
        }
        held.put(client, mine + 1);
        open++;
        return Optional.empty();
    }

    /** Gives back a slot {@link #admit} gave {@code client}. */
    synchronized void release(String client) {
        Integer mine = held.get(client);
        if (mine == null) {
            return;
        }
        if (mine <= 1) {
            held.remove(client);
        } else {
            held.put(client, mine - 1);
        }
        open--;
    }

    /** Connections {@code client} holds now. */
    synchronized int heldBy(String client) {
        return held.getOrDefault(client, 0);
    }
}
