package io.strata.server.cli;

import io.strata.csi.CsiEndpoint;
import io.strata.csi.DriverName;
import io.strata.server.NbdLimits;
import io.strata.server.ServerConfig;
import io.strata.server.StrataServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code strata server}: serves the data directory (CSI and NBD on unix sockets, REST and the web UI over HTTP) until stopped by a signal. */
@Command(name = "server", mixinStandardHelpOptions = true,
        description = "Run Strata: the CSI driver, the REST API and the web UI over the data directory, until interrupted (Ctrl-C, SIGTERM).")
final class ServerCommand implements Runnable {
    @ParentCommand
    RootCommand root;

    @Option(names = "--csi-endpoint", paramLabel = "unix:///PATH",
            description = "CSI socket (default: env STRATA_CSI_ENDPOINT, else csi.sock in the data directory).")
    String csiEndpoint;

    @Option(names = "--backup-target", paramLabel = "URL", description = BackupCommand.TARGET_HELP)
    String backupTarget;

    @Option(names = "--driver-name", paramLabel = "NAME",
            description = "CSI driver name (default: env STRATA_DRIVER_NAME, else " + "driver.strata.io" + ").")
    String driverName;

    @Option(names = "--node-id", paramLabel = "ID", description = "This node's CSI id (default: env STRATA_NODE_ID, else the host name).")
    String nodeId;

    @Option(names = "--nbd-socket", paramLabel = "PATH",
            description = "NBD unix socket, which the node attaches volumes from (default: env STRATA_NBD_SOCKET, else nbd.sock in"
                    + " the data directory).")
    Path nbdSocket;

    @Option(names = "--nbd-tcp", paramLabel = "[ADDRESS:]PORT",
            description = "Also serve NBD on TCP: a port on 127.0.0.1, or ADDRESS:PORT (default: env STRATA_NBD_TCP, else no TCP)."
                    + " No authentication: keep it on the node.")
    String nbdTcp;

    @Option(names = "--nbd-max-connections", paramLabel = "N",
            description = "NBD connections served at once to the server's own user (the node's attachments, the CLI), and as many"
                    + " again to everyone else (default: env STRATA_NBD_MAX_CONNECTIONS, else 256).")
    String nbdMaxConnections;

    @Option(names = "--nbd-max-connections-per-client", paramLabel = "N",
            description = "NBD connections one client other than the server's own user (a TCP address, a unix user) may hold at once"
                    + " (default: env STRATA_NBD_MAX_CONNECTIONS_PER_CLIENT, else 32, or the max connections if fewer).")
    String nbdMaxConnectionsPerClient;

    @Option(names = "--nbd-handshake-timeout", paramLabel = "DURATION",
            description = "How long an NBD client may take to choose an export before it is disconnected, e.g. 10s, 500ms, 2m"
                    + " (default: env STRATA_NBD_HANDSHAKE_TIMEOUT, else 10s).")
    String nbdHandshakeTimeout;

    @Option(names = "--http", paramLabel = "HOST:PORT",
            description = "Where the web UI, the REST API, /openapi.json and /metrics listen, or 'off' (default: env STRATA_HTTP, else "
                    + ServerConfig.DEFAULT_HTTP + ").")
    String http;

    @Option(names = "--http-hosts", paramLabel = "NAME[,NAME...]",
            description = "Host names clients reach the HTTP listener by, besides localhost and this machine's addresses (e.g. a"
                    + " Service's or a proxy's name); a request naming any other host is refused (default: env STRATA_HTTP_HOSTS, else"
                    + " none).")
    String httpHosts;

    @Option(names = "--api-tokens", paramLabel = "DIR",
            description = "Directory of the API tokens admin.token and read-only.token, e.g. a mounted Secret (default: env"
                    + " STRATA_API_TOKENS, else api-tokens in the data directory, where missing tokens are generated).")
    Path apiTokens;

    @Override
    public void run() {
        ServerConfig config = config();
        // gRPC logs through java.util.logging: into the one log
        org.slf4j.bridge.SLF4JBridgeHandler.removeHandlersForRootLogger();
        org.slf4j.bridge.SLF4JBridgeHandler.install();
        CountDownLatch stopped = new CountDownLatch(1);
        StrataServer server;
        try {
            server = StrataServer.start(config);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        Thread hook = new Thread(() -> {
            try {
                server.close();
            } catch (IOException | RuntimeException e) {
                System.err.println("strata: stopping: " + e.getMessage());
            } finally {
                stopped.countDown();
            }
        }, "shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    ServerConfig config() {
        return new ServerConfig(root.dataDir, root.configuredBackupTarget(backupTarget),
                csiEndpoint != null ? CsiEndpoint.parse(csiEndpoint)
                        : root.env("STRATA_CSI_ENDPOINT").map(CsiEndpoint::parse).orElse(ServerConfig.defaultCsiEndpoint(root.dataDir)),
                new DriverName(driverName != null ? driverName : root.env("STRATA_DRIVER_NAME").orElse(DriverName.DEFAULT.value())),
                nodeId != null ? nodeId : root.env("STRATA_NODE_ID").orElseGet(ServerCommand::hostName),
                nbdSocket != null ? nbdSocket
                        : root.env("STRATA_NBD_SOCKET").map(Path::of).orElse(ServerConfig.defaultNbdSocket(root.dataDir)),
                Optional.ofNullable(nbdTcp).or(() -> root.env("STRATA_NBD_TCP")).map(ServerConfig::parseNbdTcp),
                root.environment(),
                // an empty STRATA_HTTP turns HTTP off, as 'off' does
                ServerConfig.parseHttp(http != null ? http
                        : root.environment().containsKey("STRATA_HTTP") ? root.environment().get("STRATA_HTTP") : ServerConfig.DEFAULT_HTTP),
                ServerConfig.parseHttpHosts(httpHosts != null ? httpHosts : root.env("STRATA_HTTP_HOSTS").orElse("")),
                Optional.ofNullable(apiTokens).or(() -> root.env("STRATA_API_TOKENS").map(Path::of)),
                NbdLimits.parse(nbdMaxConnections != null ? nbdMaxConnections : root.env("STRATA_NBD_MAX_CONNECTIONS").orElse(null),
                        nbdMaxConnectionsPerClient != null ? nbdMaxConnectionsPerClient
                                : root.env("STRATA_NBD_MAX_CONNECTIONS_PER_CLIENT").orElse(null),
                        nbdHandshakeTimeout != null ? nbdHandshakeTimeout : root.env("STRATA_NBD_HANDSHAKE_TIMEOUT").orElse(null)));
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
