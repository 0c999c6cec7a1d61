package io.strata.server;

import io.strata.csi.CsiEndpoint;
import io.strata.csi.DriverName;
import java.nio.file.Path;
import java.util.Map;

/**
 * Everything {@code strata server} is configured with; each value comes from a flag, else an
 * environment variable, else an embedded default that works on one machine with no setup.
 *
 * @param dataDir      volumes, state, the default backup target and sockets live here
 * @param backupTarget where backups go: file://, nfs:// or s3:// (S3 credentials from the environment)
 * @param csiEndpoint  the CSI gRPC socket
 * @param driverName   the CSI driver name the cluster's StorageClasses and snapshot classes name
 * @param nodeId       this node's id for CSI attachment and topology
 * @param environment  the process environment, for S3 credentials and endpoints
 */
public record ServerConfig(Path dataDir, String backupTarget, CsiEndpoint csiEndpoint, DriverName driverName, String nodeId,
                           Map<String, String> environment) {

    public ServerConfig {
        dataDir = dataDir.toAbsolutePath().normalize();
        environment = Map.copyOf(environment);
    }

    /** The default backup target: a directory inside the data directory. */
    public static String defaultBackupTarget(Path dataDir) {
        return "file://" + dataDir.toAbsolutePath().normalize().resolve("backups");
    }

    /** The default CSI socket: {@code csi.sock} in the data directory. */
    public static CsiEndpoint defaultCsiEndpoint(Path dataDir) {
        return new CsiEndpoint(dataDir.toAbsolutePath().normalize().resolve("csi.sock"));
    }
}
