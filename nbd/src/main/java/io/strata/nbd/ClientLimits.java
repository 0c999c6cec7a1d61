package io.strata.nbd;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.attribute.UserPrincipal;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/**
 * Who holds the server's connections, and whether one more may come. Without limits per client,
 * one client that opens (or leaks) connections up to the server's maximum locks every other client
 * out, the node's own attachments included.
 *
 * <p>A client is a peer's identity as the kernel vouches for it: on the unix socket the peer's user
 * ({@code SO_PEERCRED}), on TCP the peer's address (its port changes with each connection). Two
 * groups each get {@link NbdConfig#maxConnections()}:
 * <ul>
 *   <li>the server's own user (and root) on the unix socket: the node's attachments (nbdfuse opens 4
 *       connections per volume, so 64 staged volumes hold 256) and the CLI. Such a peer can read and
 *       write the volumes' files directly, so a cap per client would protect nothing from it, and it
 *       must never be crowded out by others;</li>
 *   <li>everyone else (TCP peers; other users, should the socket's mode let them in), at most
 *       {@link NbdConfig#maxConnectionsPerClient()} each.</li>
 * </ul>
 *
 * <p>Thread-safe: admissions come from the accepting threads, releases from connection threads.
 */
final class ClientLimits {
    /** A peer: its name for limits and messages, and whether it is the server's own user. */
    record Client(String name, boolean own) {}

    /** Why a connection was not admitted: the limit it met, and a sentence for the log. */
    record Refused(NbdCounters.Refusal reason, String message) {}

    private final int total;
    private final int perClient;
    private final Map<String, Integer> held = new HashMap<>();
    private int ownOpen;
    private int othersOpen;

    ClientLimits(int total, int perClient) {
        this.total = total;
        this.perClient = perClient;
    }

    /**
     * The client a connected socket belongs to, e.g. {@code uid root} or {@code 127.0.0.1}.
     *
     * @param serverUser the user the server runs as (who owns its unix socket)
     */
    static Client clientOf(SocketChannel channel, Optional<UserPrincipal> serverUser) {
        try {
            SocketAddress remote = channel.getRemoteAddress();
            if (remote instanceof InetSocketAddress inet) {
                return new Client(inet.getAddress().getHostAddress(), false);
            }
            UserPrincipal peer = channel.getOption(ExtendedSocketOptions.SO_PEERCRED).user();
            boolean own = peer.getName().equals("root") || serverUser.map(peer::equals).orElse(false);
            return new Client("uid " + peer.getName(), own);
        } catch (IOException | UnsupportedOperationException unknown) {
            // a platform without peer credentials: every such client shares one allowance
            return new Client("unknown peer", false);
        }
    }

    /**
     * Takes a connection slot for {@code client}; empty when it got one (give it back with
     * {@link #release}), else why not.
     */
    synchronized Optional<Refused> admit(Client client) {
        if (client.own()) {
            if (ownOpen >= total) {
                return Optional.of(new Refused(NbdCounters.Refusal.TOTAL,
                        client.name() + " (the server's own user) holds " + total + " connections already, its maximum"));
            }
            ownOpen++;
            return Optional.empty();
        }
        if (othersOpen >= total) {
            return Optional.of(new Refused(NbdCounters.Refusal.TOTAL,
                    "clients other than the server's own user hold " + total + " connections already, their maximum"));
        }
        int mine = held.getOrDefault(client.name(), 0);
        if (mine >= perClient) {
            return Optional.of(new Refused(NbdCounters.Refusal.PER_CLIENT,
                    client.name() + " holds " + perClient + " connections already, its maximum"));
        }
        held.put(client.name(), mine + 1);
        othersOpen++;
        return Optional.empty();
    }

    /** Gives back a slot {@link #admit} gave {@code client}. */
    synchronized void release(Client client) {
        if (client.own()) {
            ownOpen--;
            return;
        }
        Integer mine = held.get(client.name());
        if (mine == null) {
            return;
        }
        if (mine <= 1) {
            held.remove(client.name());
        } else {
            held.put(client.name(), mine - 1);
        }
        othersOpen--;
    }
}
