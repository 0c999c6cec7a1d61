package io.strata.server;

import io.strata.csi.CsiEndpoint;
import io.strata.csi.DriverName;
import io.strata.domain.StrataException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
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
 */
public record ServerConfig(Path dataDir, String backupTarget, CsiEndpoint csiEndpoint, DriverName driverName, String nodeId,
                           Path nbdSocket, Optional<InetSocketAddress> nbdTcp, Map<String, String> environment) {

    public ServerConfig {
        dataDir = dataDir.toAbsolutePath().normalize();
        nbdSocket = nbdSocket.toAbsolutePath().normalize();
        Objects.requireNonNull(nbdTcp, "nbdTcp");
        environment = Map.copyOf(environment);
    }

    /** The embedded defaults for everything but the backup target, CSI endpoint, driver name and node id. */
    public ServerConfig(Path dataDir, String backupTarget, CsiEndpoint csiEndpoint, DriverName driverName, String nodeId,
                        Map<String, String> environment) {
        this(dataDir, backupTarget, csiEndpoint, driverName, nodeId, defaultNbdSocket(dataDir), Optional.empty(), environment);
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
}
