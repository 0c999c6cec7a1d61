package io.strata.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.csi.DriverName;
import io.strata.server.ServerConfig;
import io.strata.server.StrataServer;
import io.strata.server.http.ApiTokens;
import io.strata.server.http.Role;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI through a server whose API needs a token: it finds the server's own token through
 * {@code server.json} (in the data directory or in a configured token directory such as a mounted
 * Secret), takes one given with {@code --token-file} or {@code STRATA_TOKEN}, and when the server
 * refuses its token says so in its own terms, without going around the server to its files.
 */
class CliTokenTest {
    @TempDir
    Path tmp;
    private StrataServer server;

    @AfterEach
    void stop() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    private Path start(ServerConfig config) throws IOException {
        server = StrataServer.start(config.withHttp(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
        return config.dataDir();
    }

    private ServerConfig config() {
        Path data = tmp.resolve("data");
        return new ServerConfig(data, ServerConfig.defaultBackupTarget(data), ServerConfig.defaultCsiEndpoint(data),
                new DriverName("cli.example.com"), "node-1", Map.of(ServerConfig.BACKUP_LOCK_SETTLE_ENV, "0"));
    }

    private static Map<String, String> env(Path data, String... more) {
        Map<String, String> env = new HashMap<>(Map.of(StrataCli.DATA_DIR_ENV, data.toString(), ServerConfig.BACKUP_LOCK_SETTLE_ENV, "0"));
        for (int i = 0; i < more.length; i += 2) {
            env.put(more[i], more[i + 1]);
        }
        return env;
    }

    private int statusWithoutToken() throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(HttpRequest.newBuilder(URI.create(server.httpUrl().orElseThrow() + "/api/v1/volumes")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        }
    }

    @Test
    void theCliUsesTheServersOwnTokenFromTheDataDirectory() throws Exception {
        Path data = start(config());
        assertThat(statusWithoutToken()).as("the API refuses a request without a token").isEqualTo(401);
        assertThat(Cli.run(env(data), "volume", "create", "db", "--size", "1Mi").ok()).isEqualTo("created volume db (1Mi)\n");
        assertThat(server.volumes().list()).as("made by the server, through its API").hasSize(1);
        assertThat(Cli.run(env(data), "volume", "ls").ok()).contains("db");
        assertThat(Cli.run(env(data), "snapshot", "create", "db", "s1").ok()).contains("db@s1");
    }

    @Test
    void aTokenGivenWinsAndARefusalSaysWhatToDo() throws Exception {
        Path data = start(config());
        Path tokens = data.resolve(ApiTokens.DIRECTORY);
        String read = ApiTokens.read(tokens, Role.READ_ONLY).orElseThrow();
        String admin = ApiTokens.read(tokens, Role.ADMIN).orElseThrow();

        Map<String, String> readOnly = env(data, RootCommand.TOKEN_ENV, read);
        assertThat(Cli.run(readOnly, "volume", "ls").ok()).startsWith("no volumes");
        Cli.Result refused = Cli.run(readOnly, "volume", "create", "db", "--size", "1Mi");
        assertThat(refused.exitCode()).isEqualTo(ExitCode.FAILED_PRECONDITION.status);
        assertThat(refused.err()).contains("for reading only").contains("admin token").contains("--token-file")
                .doesNotContain(read).doesNotContain("Authorization");
        assertThat(server.volumes().list()).isEmpty();

        Cli.Result wrong = Cli.run(env(data, RootCommand.TOKEN_ENV, "x".repeat(43)), "volume", "ls");
        assertThat(wrong.exitCode()).as("refused by the server, not sent around it to its files").isEqualTo(ExitCode.FAILED_PRECONDITION.status);
        assertThat(wrong.err()).contains("refused the token given").contains("STRATA_TOKEN").contains(tokens.toString())
                .doesNotContain("x".repeat(43));

        Path file = Files.writeString(tmp.resolve("token"), admin + "\n");
        assertThat(Cli.run(readOnly, "--token-file", file.toString(), "volume", "create", "db", "--size", "1Mi").ok())
                .as("--token-file wins over STRATA_TOKEN").isEqualTo("created volume db (1Mi)\n");
        Cli.Result missing = Cli.run(env(data), "--token-file", tmp.resolve("nope").toString(), "volume", "ls");
        assertThat(missing.exitCode()).isEqualTo(ExitCode.USAGE.status);
        assertThat(missing.err()).contains("--token-file").contains("cannot be read");
    }

    @Test
    void theCliFindsTokensInAConfiguredDirectoryThroughServerJson() throws Exception {
        Path secret = Files.createDirectories(tmp.resolve("secret"));
        Files.writeString(secret.resolve("admin.token"), "s".repeat(48));
        Path data = start(config().withApiTokens(secret));
        assertThat(Cli.run(env(data), "volume", "create", "db", "--size", "1Mi").ok()).isEqualTo("created volume db (1Mi)\n");
        assertThat(Files.exists(data.resolve(ApiTokens.DIRECTORY))).isFalse();
    }
}
