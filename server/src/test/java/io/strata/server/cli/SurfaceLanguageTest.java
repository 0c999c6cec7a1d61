package io.strata.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.csi.DriverName;
import io.strata.server.ServerConfig;
import io.strata.server.StrataServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each surface speaks its own language: over the error cases, what the CLI prints (on a data
 * directory of its own, and through a running server's REST API) never points at a REST endpoint,
 * and what the REST API answers never points at a CLI command. Where the way forward is to look
 * something up, each says how in its own words.
 */
class SurfaceLanguageTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NO_BACKUP = "backup-0000000000000000";

    @org.junit.jupiter.api.io.TempDir
    static Path tmp;
    private static StrataServer server;
    private static URI base;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws IOException {
        Path served = tmp.resolve("served");
        server = StrataServer.start(new ServerConfig(served, ServerConfig.defaultBackupTarget(served),
                ServerConfig.defaultCsiEndpoint(served), new DriverName("cli.example.com"), "node-1",
                Map.of(ServerConfig.BACKUP_LOCK_SETTLE_ENV, "0")).withHttp(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
        base = server.httpUrl().orElseThrow();
        for (Path data : new Path[] {served, tmp.resolve("alone")}) {
            Cli.run(env(data), "volume", "create", "db", "--size", "8Mi").ok();
            Cli.run(env(data), "backup", "create", "db").ok(); // so that backup volume db exists in the target
        }
    }

    @AfterAll
    static void stop() throws IOException {
        server.close();
    }

    private static Map<String, String> env(Path data) {
        return Map.of(StrataCli.DATA_DIR_ENV, data.toString(), ServerConfig.BACKUP_LOCK_SETTLE_ENV, "0");
    }

    /**
     * @param cli      the command, or null when the CLI has none for it
     * @param cliSays  what its error must say of the way forward, or null
     * @param restSays what the problem's detail must say of it, or null
     */
    private static Arguments error(String name, String[] cli, String cliSays, String method, String path, String body, int status,
                                   String restSays) {
        return Arguments.of(name, cli, cliSays, method, path, body, status, restSays);
    }

    static Stream<Arguments> errors() {
        return Stream.of(
                error("unknown volume", new String[] {"volume", "info", "nope"}, "'strata volume ls' lists the volumes",
                        "GET", "/api/v1/volumes/nope", null, 404, "GET /api/v1/volumes lists the volumes"),
                error("unknown volume, expanded", new String[] {"volume", "expand", "nope", "--size", "16Mi"}, null,
                        "POST", "/api/v1/volumes/nope/expand", "{\"sizeBytes\":16777216}", 404, "GET /api/v1/volumes lists"),
                error("unknown snapshot", new String[] {"snapshot", "revert", "db", "nope"}, null,
                        "POST", "/api/v1/volumes/db/snapshots/nope/revert", null, 404, "GET /api/v1/volumes/db/snapshots lists"),
                error("unknown backup", new String[] {"backup", "inspect", "bak://db/" + NO_BACKUP}, "'strata backup ls --target",
                        "GET", "/api/v1/backup-volumes/db/backups/" + NO_BACKUP, null, 404, "GET /api/v1/backup-volumes/db/backups lists"),
                error("unknown backup, verified", new String[] {"backup", "verify", "bak://db/" + NO_BACKUP}, "'strata backup ls --target",
                        "POST", "/api/v1/backup-volumes/db/backups/" + NO_BACKUP + "/verify", null, 404, "GET /api/v1/backup-volumes/db"),
                error("unknown backup, restored", new String[] {"backup", "restore", "bak://db/" + NO_BACKUP, "db-restored"}, "strata backup ls",
                        "POST", "/api/v1/backup-volumes/db/backups/" + NO_BACKUP + "/restore", "{\"volume\":\"db-restored\"}", 404,
                        "GET /api/v1/backup-volumes/db/backups lists"),
                error("unknown backup volume", null, null,
                        "GET", "/api/v1/backup-volumes/nope/backups", null, 404, "GET /api/v1/backup-volumes lists"),
                error("unknown job", null, null, "GET", "/api/v1/jobs/backup@nope", null, 404, "GET /api/v1/jobs lists"),
                error("volume name taken", new String[] {"volume", "create", "db", "--size", "8Mi"}, null,
                        "POST", "/api/v1/volumes", "{\"name\":\"db\",\"sizeBytes\":8388608}", 409, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("errors")
    void eachSurfaceSpeaksItsOwnLanguage(String name, String[] cli, String cliSays, String method, String path, String body,
                                         int status, String restSays) throws Exception {
        if (cli != null) {
            for (Path data : new Path[] {tmp.resolve("alone"), tmp.resolve("served")}) {
                Cli.Result result = Cli.run(env(data), cli);
                assertThat(result.exitCode()).as("%s on %s: %s", name, data.getFileName(), result.err()).isNotZero();
                assertThat(result.err()).as("%s on %s", name, data.getFileName()).startsWith("strata: ")
                        .doesNotContain("/api/v1", "GET ", "POST ", "DELETE ");
                if (cliSays != null) {
                    assertThat(result.err()).as("%s on %s", name, data.getFileName()).contains(cliSays);
                }
            }
        }
        HttpRequest.BodyPublisher publisher = body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body);
        HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(base.resolve(path)).method(method, publisher)
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + adminToken()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as("%s: %s", name, answer.body()).isEqualTo(status);
        JsonNode problem = JSON.readTree(answer.body());
        String detail = problem.get("detail").asText();
        assertThat(detail).as(name).doesNotContain("strata ", "--target", "'strata");
        if (restSays != null) {
            assertThat(detail).as(name).contains(restSays);
            assertThat(problem.get("hint").get("kind").asText()).as(name).startsWith("list-");
        }
    }

    private String adminToken() throws java.io.IOException {
        Path tokens = Path.of(io.strata.server.ServerFile.read(tmp.resolve("served")).orElseThrow().tokens());
        return io.strata.server.http.ApiTokens.read(tokens, io.strata.server.http.Role.ADMIN).orElseThrow();
    }
}
