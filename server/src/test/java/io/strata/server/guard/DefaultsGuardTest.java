package io.strata.server.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.server.ServerConfig;
import java.net.BindException;
import java.net.ServerSocket;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/** The guard is in force during every test run, and guards the defaults the server really has. */
class DefaultsGuardTest {

    @Test
    void theDefaultHttpAddressIsTakenWhileTestsRun() {
        assertThat(ServerConfig.parseHttp(ServerConfig.DEFAULT_HTTP)).contains(DefaultsGuard.DEFAULT_HTTP);
        assertThatThrownBy(() -> {
            try (ServerSocket socket = new ServerSocket()) {
                socket.bind(DefaultsGuard.DEFAULT_HTTP);
            }
        }).as("a test binding the default address fails, as beside a user's running server").isInstanceOf(BindException.class);
    }

    @Test
    void theDefaultDataDirectoryCannotBeUsed() {
        assertThat(Files.isDirectory(DefaultsGuard.DEFAULT_DATA_DIR)).as("no test created the default data directory").isFalse();
        assertThat(Files.exists(DefaultsGuard.DEFAULT_DATA_DIR)).as("the guard holds it as a plain file").isTrue();
    }
}
