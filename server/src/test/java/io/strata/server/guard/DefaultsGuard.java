package io.strata.server.guard;

import io.strata.server.ServerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Occupies what a user's {@code strata server} occupies while the tests run: the default HTTP address
 * ({@link ServerConfig#DEFAULT_HTTP}), and the default data directory ({@link ServerConfig#DEFAULT_DATA_DIR},
 * as a plain file, so that nothing can be created in it). A test that falls back on a default then fails here every time, as
 * it would on the machine of a user who runs {@code ./run-tests} beside the server the README starts,
 * instead of passing only where nothing else runs. When the port is already taken (that server is
 * running) it is left to its owner: the defaults are then just as unusable.
 */
public final class DefaultsGuard implements LauncherSessionListener {
    /** The defaults a user's server holds, as the server itself takes them: a changed default moves the guard with it. */
    public static final InetSocketAddress DEFAULT_HTTP = ServerConfig.parseHttp(ServerConfig.DEFAULT_HTTP).orElseThrow();
    public static final Path DEFAULT_DATA_DIR = Path.of(ServerConfig.DEFAULT_DATA_DIR).normalize();

    private ServerSocket port;
    private boolean placedDataDir;

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        try {
            port = new ServerSocket();
            port.setReuseAddress(false);
            port.bind(DEFAULT_HTTP);
        } catch (BindException taken) {
            closePort(); // a real server has it: tests meet the same wall
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            if (!Files.exists(DEFAULT_DATA_DIR)) {
                Files.writeString(DEFAULT_DATA_DIR, "placed by the tests' DefaultsGuard: no test may use the default data directory\n");
                placedDataDir = true;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void launcherSessionClosed(LauncherSession session) {
        closePort();
        if (placedDataDir) {
            try {
                Files.deleteIfExists(DEFAULT_DATA_DIR);
            } catch (IOException ignored) {
                // a leftover file is harmless: the next run reuses it
            }
        }
    }

    private void closePort() {
        if (port != null) {
            try {
                port.close();
            } catch (IOException ignored) {
                // closing a listening socket cannot lose anything
            }
            port = null;
        }
    }
}
