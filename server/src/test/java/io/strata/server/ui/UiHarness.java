package io.strata.server.ui;

import io.strata.csi.DriverName;
import io.strata.server.ServerConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Map;

/** A {@code strata server} for the web UI's tests: a temporary data directory, its file backup target, HTTP on a free loopback port. */
final class UiHarness {
    private UiHarness() {}

    static ServerConfig config(Path tmp) {
        Path data = tmp.resolve("data");
        // backup locks need not wait for rivals: nobody else writes to this target
        return new ServerConfig(data, ServerConfig.defaultBackupTarget(data), ServerConfig.defaultCsiEndpoint(data),
                new DriverName("ui.example.com"), "node-1", Map.of(ServerConfig.BACKUP_LOCK_SETTLE_ENV, "0"))
                .withHttp(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }
}
