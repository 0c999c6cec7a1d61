package io.strata.server.http;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Who may ask what, checked before any route runs: the {@code Host} a request names, on every
 * listener, and its bearer token on every route that is not {@linkplain Route#tokenFree token-free}.
 *
 * <p>The Host check stops DNS rebinding: a page on {@code evil.example} whose name is made to point
 * at this server sends {@code Host: evil.example}, and is refused. The names accepted are the ones
 * the server is reachable by: loopback names, IP literals of this machine (a rebinding needs a name,
 * so an address is safe), and the names configured ({@code --http-hosts}). Any port is accepted with
 * them, because {@code kubectl port-forward} maps the server's port to another.
 *
 * <p>The token is required from loopback clients too: {@code kubectl port-forward} delivers remote
 * users' connections from 127.0.0.1 inside the pod, and on a shared machine every local user is a
 * loopback client. See {@code docs/rest-api.md}.
 */
public final class Access {
    /** A DNS name or an IPv4 literal, as a Host header and the configured list write them. */
    private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\\.?");
    private static final String REALM = "Bearer realm=\"strata\"";

    private final InetAddress bound;
    private final Set<String> names;
    private final ApiTokens tokens;

    /**
     * @param bound the listener's address (with the port picked)
     * @param names further names clients use for this server, e.g. a Service's DNS name or a proxy's
     */
    public Access(InetSocketAddress bound, List<String> names, ApiTokens tokens) {
        this.bound = bound.getAddress();
        this.names = Set.copyOf(names.stream().map(Access::hostName).toList());
        this.tokens = tokens;
    }

    /**
     * The name of a {@code Host} value or a configured entry, lower case, without its port and IPv6 brackets.
     *
     * @throws IllegalArgumentException when it is no host name
     */
    public static String hostName(String host) {
        String name = host.strip().toLowerCase(Locale.ROOT);
        if (name.startsWith("[")) {
            int end = name.indexOf(']');
            if (end < 0 || !name.substring(end + 1).matches("(:\\d{1,5})?")) {
                throw new IllegalArgumentException("'" + host + "' is no host name");
            }
            String literal = name.substring(1, end);
            if (!literal.matches("[0-9a-f:.]+") || !literal.contains(":")) {
                throw new IllegalArgumentException("'" + host + "' is no IPv6 address");
            }
            return "[" + literal + "]";
        }
        int colon = name.indexOf(':');
        if (colon >= 0) {
            if (!name.substring(colon + 1).matches("\\d{1,5}")) {
                throw new IllegalArgumentException("'" + host + "' is no host name (an IPv6 address goes in brackets)");
            }
            name = name.substring(0, colon);
        }
        if (!NAME.matcher(name).matches() || name.length() > 253) {
            throw new IllegalArgumentException("'" + host + "' is no host name");
        }
        return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    }

    /** Refuses a request whose {@code Host} is not a name of this server. */
    void checkHost(String host, String url) {
        String name;
        try {
            name = host == null ? "" : hostName(host);
        } catch (IllegalArgumentException e) {
            name = "";
        }
        if (!name.isEmpty() && reachableAs(name)) {
            return;
        }
        String shown = host == null ? "(none)" : "'" + host.replaceAll("[^\\x20-\\x7e]", "?") + "'";
        throw new HttpProblem(ProblemType.FORBIDDEN_HOST, "this server does not answer to host " + shown + ": it answers to localhost,"
                + " its own addresses" + (names.isEmpty() ? "" : " and " + String.join(", ", names.stream().sorted().toList()))
                + ". Use " + url + ", or, if clients reach it by that name, add the name to --http-hosts (STRATA_HTTP_HOSTS) and restart");
    }

    private boolean reachableAs(String name) {
        if (names.contains(name) || name.equals("localhost") || name.endsWith(".localhost")) {
            return true;
        }
        Optional<InetAddress> literal = literal(name);
        if (literal.isEmpty()) {
            return false;
        }
        InetAddress address = literal.get();
        if (address.isLoopbackAddress() || address.equals(bound)) {
            return true;
        }
        try {
            return bound.isAnyLocalAddress() && NetworkInterface.getByInetAddress(address) != null;
        } catch (SocketException e) {
            return false;
        }
    }

    /** An IP literal as an address, without a name lookup; a name is empty. */
    private static Optional<InetAddress> literal(String name) {
        boolean v6 = name.startsWith("[");
        if (!v6 && !name.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            return Optional.empty();
        }
        try {
            if (v6) {
                // with a colon it is parsed as a literal, never looked up
                return Optional.of(InetAddress.getByName(name.substring(1, name.length() - 1)));
            }
            String[] octets = name.split("\\.");
            byte[] bytes = new byte[4];
            for (int i = 0; i < 4; i++) {
                int octet = Integer.parseInt(octets[i]);
                if (octet > 255) {
                    return Optional.empty();
                }
                bytes[i] = (byte) octet;
            }
            return Optional.of(InetAddress.getByAddress(bytes));
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    /**
     * Lets a request to {@code route} pass if the route is token-free or the request carries a
     * token whose role allows its method.
     *
     * @throws HttpProblem 401 with {@code WWW-Authenticate} without a valid token, 403 for a read-only token on a change
     */
    void authorize(Route route, String method, String authorization) {
        if (route.tokenFree()) {
            return;
        }
        if (authorization == null || authorization.isBlank()) {
            throw new HttpProblem(ProblemType.UNAUTHENTICATED, "this API needs a token: send 'Authorization: Bearer TOKEN' with the"
                    + " admin or read-only token of this server (in " + ApiTokens.DIRECTORY + "/ of its data directory, or the Secret"
                    + " strata-api-tokens in Kubernetes)", Map.of("WWW-Authenticate", REALM));
        }
        String[] parts = authorization.strip().split("\\s+", 2);
        if (parts.length != 2 || !parts[0].equalsIgnoreCase("Bearer")) {
            throw new HttpProblem(ProblemType.UNAUTHENTICATED, "the Authorization header is not 'Bearer TOKEN': this API takes bearer"
                    + " tokens only", Map.of("WWW-Authenticate", REALM + ", error=\"invalid_request\""));
        }
        Role role = tokens.roleOf(parts[1].strip()).orElseThrow(() -> new HttpProblem(ProblemType.UNAUTHENTICATED,
                "the token is not one of this server's: send its admin or read-only token (tokens generated anew replace the old ones)",
                Map.of("WWW-Authenticate", REALM + ", error=\"invalid_token\"")));
        if (!role.allows(method)) {
            throw new HttpProblem(ProblemType.PERMISSION_DENIED, "the token is the read-only one, which may only read (GET): " + method
                    + " " + route.template() + " needs the admin token", Map.of("WWW-Authenticate", REALM + ", error=\"insufficient_scope\""));
        }
    }
}
