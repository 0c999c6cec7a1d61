package io.strata.server;

import io.strata.csi.CsiEndpoint;
import io.strata.csi.DriverName;
import io.strata.backupstore.lock.BackupLock;
import io.strata.domain.StrataException;
import io.strata.server.http.Access;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything {@code strata server} is configured with; each value comes from a flag, else an
 * environment variable, else an embedded default that works on one machine with no setup.
 *
 * @param dataDir      volumes, state, the default backup target and sockets live here
 * @param backupTarget where backups go: file://, nfs:// or s3:// (S3 credentials from the environment)
 * @param csiEndpoint  the CSI gRPC socket
 * @param driverName   the CSI driver name the cluster's StorageClasses and snapshot classes name
 * @param nodeId       this node's id for CSI attachment and topology
 * @param nbdSocket    the NBD server's unix socket, which the Node service attaches volumes from
 * @param nbdTcp       where the NBD server also listens on TCP, if anywhere
 * @param environment  the process environment, for S3 credentials and endpoints
 * @param http         where the web UI, the REST API, /openapi.json and /metrics listen; empty: no HTTP
 * @param httpHosts    names clients reach the HTTP listener by besides localhost and its addresses (checked against {@code Host})
 * @param apiTokens    the directory of the API tokens (e.g. a mounted Secret); empty: {@code <data dir>/api-tokens}
 * @param nbdLimits    how many NBD connections are served, to one client and in all, and how long a handshake may take
 */
public record ServerConfig(Path dataDir, String backupTarget, CsiEndpoint csiEndpoint, DriverName driverName, String nodeId,
                           Path nbdSocket, Optional<InetSocketAddress> nbdTcp, Map<String, String> environment,
                           Optional<InetSocketAddress> http, List<String> httpHosts, Optional<Path> apiTokens, NbdLimits nbdLimits) {
    /** Seconds a backupstore lock attempt waits for rivals before it looks (Longhorn's 2 s when unset). */
    public static final String BACKUP_LOCK_SETTLE_ENV = "STRATA_BACKUP_LOCK_SETTLE";
    /** Where, under the data directory, this node notes the backupstore locks it holds, so a restart removes those a crash left. */
    public static final String LOCK_JOURNAL_DIRECTORY = "backup-locks";
    /** The data directory of {@code strata server} and the CLI unless told otherwise, relative to where they run. */
    public static final String DEFAULT_DATA_DIR = "./strata-data";
    /** The HTTP listener of {@code strata server} unless told otherwise: this machine only. */
    public static final String DEFAULT_HTTP = "127.0.0.1:9500";

    public ServerConfig {
        dataDir = dataDir.toAbsolutePath().normalize();
        Objects.requireNonNull(http, "http");
        nbdSocket = nbdSocket.toAbsolutePath().normalize();
        Objects.requireNonNull(nbdTcp, "nbdTcp");
        environment = Map.copyOf(environment);
        httpHosts = List.copyOf(httpHosts);
        Objects.requireNonNull(apiTokens, "apiTokens");
        Objects.requireNonNull(nbdLimits, "nbdLimits");
    }

    /** The default NBD limits. */
    public ServerConfig(Path dataDir, String backupTarget, CsiEndpoint csiEndpoint, DriverName driverName, String nodeId,
                        Path nbdSocket, Optional<InetSocketAddress> nbdTcp, Map<String, String> environment,
                        Optional<InetSocketAddress> http, List<String> httpHosts, Optional<Path> apiTokens) {
        this(dataDir, backupTarget, csiEndpoint, driverName, nodeId, nbdSocket, nbdTcp, environment, http, httpHosts, apiTokens,
                NbdLimits.DEFAULT);
    }

    /** No further host names, the tokens in the data directory. */
    public ServerConfig(Path dataDir, String backupTarget, CsiEndpoint csiEndpoint, DriverName driverName, String nodeId,
                        Path nbdSocket, Optional<InetSocketAddress> nbdTcp, Map<String, String> environment,
                        Optional<InetSocketAddress> http) {
        this(dataDir, backupTarget, csiEndpoint, driverName, nodeId, nbdSocket, nbdTcp, environment, http, List.of(), Optional.empty());
    }

    /** The embedded defaults for everything but the backup target, CSI endpoint, driver name and node id. */
    public ServerConfig(Path dataDir, String backupTarget, CsiEndpoint csiEndpoint, DriverName driverName, String nodeId,
                        Map<String, String> environment) {
        this(dataDir, backupTarget, csiEndpoint, driverName, nodeId, defaultNbdSocket(dataDir), Optional.empty(), environment,
                Optional.empty());
    }

    /** The embedded NBD defaults, without HTTP. */
    public ServerConfig(Path dataDir, String backupTarget, CsiEndpoint csiEndpoint, DriverName driverName, String nodeId,
                        Path nbdSocket, Optional<InetSocketAddress> nbdTcp, Map<String, String> environment) {
        this(dataDir, backupTarget, csiEndpoint, driverName, nodeId, nbdSocket, nbdTcp, environment, Optional.empty());
    }

    /** This configuration listening for HTTP at {@code address} (port 0: a free port). */
    public ServerConfig withHttp(InetSocketAddress address) {
        return new ServerConfig(dataDir, backupTarget, csiEndpoint, driverName, nodeId, nbdSocket, nbdTcp, environment,
                Optional.of(address), httpHosts, apiTokens, nbdLimits);
    }

    /** This configuration answering HTTP requests for these host names too. */
    public ServerConfig withHttpHosts(List<String> names) {
        return new ServerConfig(dataDir, backupTarget, csiEndpoint, driverName, nodeId, nbdSocket, nbdTcp, environment, http, names,
                apiTokens, nbdLimits);
    }

    /** This configuration taking its API tokens from {@code directory}. */
    public ServerConfig withApiTokens(Path directory) {
        return new ServerConfig(dataDir, backupTarget, csiEndpoint, driverName, nodeId, nbdSocket, nbdTcp, environment, http, httpHosts,
                Optional.of(directory), nbdLimits);
    }

    /** This configuration serving NBD within {@code limits}. */
    public ServerConfig withNbdLimits(NbdLimits limits) {
        return new ServerConfig(dataDir, backupTarget, csiEndpoint, driverName, nodeId, nbdSocket, nbdTcp, environment, http, httpHosts,
                apiTokens, limits);
    }

    /**
     * The host names a flag or {@code STRATA_HTTP_HOSTS} lists, comma-separated: DNS names or IP
     * addresses, a port after them ignored (every port is accepted).
     *
     * @throws StrataException.InvalidArgument for an entry that is no host name
     */
    public static List<String> parseHttpHosts(String text) {
        List<String> names = new ArrayList<>();
        for (String entry : (text == null ? "" : text).split(",")) {
            if (entry.isBlank()) {
                continue;
            }
            try {
                names.add(Access.hostName(entry));
            } catch (IllegalArgumentException e) {
                throw new StrataException.InvalidArgument("HTTP host '" + entry.strip() + "' is not a host name: list the names clients"
                        + " use for this server, comma-separated, e.g. strata.example.com,strata.strata-system.svc");
            }
        }
        return List.copyOf(names);
    }

    /**
     * The HTTP listener a flag or {@code STRATA_HTTP} names: {@code HOST:PORT}, {@code http://HOST:PORT}
     * or {@code :PORT} (loopback); {@code off} or empty for none.
     *
     * @throws StrataException.InvalidArgument when it is none of these
     */
    public static Optional<InetSocketAddress> parseHttp(String text) {
        String value = text == null ? "" : text.strip();
        if (value.isEmpty() || value.equalsIgnoreCase("off")) {
            return Optional.empty();
        }
        String hostPort = value.startsWith("http://") ? value.substring("http://".length()) : value;
        if (hostPort.endsWith("/")) {
            hostPort = hostPort.substring(0, hostPort.length() - 1);
        }
        try {
            URI uri = new URI("http://" + (hostPort.startsWith(":") ? "127.0.0.1" + hostPort : hostPort));
            if (uri.getHost() == null || uri.getPort() < 0 || uri.getPort() > 65535 || uri.getRawPath() != null && !uri.getRawPath().isEmpty()
                    || uri.getQuery() != null || uri.getUserInfo() != null) {
                throw new IllegalArgumentException();
            }
            return Optional.of(new InetSocketAddress(InetAddress.getByName(uri.getHost()), uri.getPort()));
        } catch (java.net.URISyntaxException | IllegalArgumentException | UnknownHostException e) {
            throw new StrataException.InvalidArgument("HTTP address '" + value + "' is not HOST:PORT (e.g. " + DEFAULT_HTTP
                    + ", or 0.0.0.0:9500 for every interface), :PORT, or off");
        }
    }

    /** The default backup target: a directory inside the data directory. */
    public static String defaultBackupTarget(Path dataDir) {
        return "file://" + dataDir.toAbsolutePath().normalize().resolve("backups");
    }

    /** The default CSI socket: {@code csi.sock} in the data directory. */
    public static CsiEndpoint defaultCsiEndpoint(Path dataDir) {
        return new CsiEndpoint(dataDir.toAbsolutePath().normalize().resolve("csi.sock"));
    }

    /** The default NBD socket: {@code nbd.sock} in the data directory. */
    public static Path defaultNbdSocket(Path dataDir) {
        return dataDir.toAbsolutePath().normalize().resolve("nbd.sock");
    }

    /**
     * Where to listen on TCP for NBD: {@code PORT} (on 127.0.0.1, so only this machine reaches it),
     * {@code HOST:PORT} or {@code [IPv6]:PORT}. Port 0 picks a free one.
     *
     * @throws StrataException.InvalidArgument for anything else, or a host that does not resolve
     */
    public static InetSocketAddress parseNbdTcp(String text) {
        String value = text.strip();
        int colon = value.lastIndexOf(':');
        String host = colon < 0 ? "" : value.substring(0, colon);
        String port = colon < 0 ? value : value.substring(colon + 1);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int number;
        try {
            number = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            number = -1;
        }
        if (number < 0 || number > 65535 || (colon >= 0 && host.isEmpty())) {
            throw new StrataException.InvalidArgument("NBD TCP address '" + text + "' is not PORT, HOST:PORT or [IPv6]:PORT"
                    + " (a port from 0 to 65535)");
        }
        if (host.isEmpty()) {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), number);
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), number);
        } catch (UnknownHostException e) {
            throw new StrataException.InvalidArgument("NBD TCP host '" + host + "' does not resolve: give an address of this machine");
        }
    }

    /**
     * How long a backupstore lock attempt waits for rivals: {@value #BACKUP_LOCK_SETTLE_ENV} seconds (0 to 60),
     * else Longhorn's 2 s. Only a target no other process writes to can do without the wait.
     */
    public static Duration backupLockSettle(Map<String, String> env) {
        String value = env.get(BACKUP_LOCK_SETTLE_ENV);
        if (value == null || value.isBlank()) {
            return BackupLock.SETTLE;
        }
        try {
            double seconds = Double.parseDouble(value.strip());
            if (!(seconds >= 0 && seconds <= 60)) {
                throw new NumberFormatException();
            }
            return Duration.ofMillis((long) (seconds * 1000));
        } catch (NumberFormatException e) {
            throw new StrataException.InvalidArgument(BACKUP_LOCK_SETTLE_ENV + "='" + value + "' is not a number of seconds from 0 to 60");
        }
    }
}
