package io.strata.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.server.ServerConfig;
import io.strata.server.cli.StrataCli;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * A password in {@code AWS_ENDPOINTS} ({@code http://user:secretpw@host}) is never repeated: not in
 * REST answers, not by the CLI, not in job records, not in the server's log (its real
 * {@code logback.xml}).
 */
class CredentialRedactionTest {
    private static final String SECRET = "secretpw";

    @TempDir
    Path tmp;

    @RegisterExtension
    final ServerLog log = ServerLog.withStrataAt(ch.qos.logback.classic.Level.DEBUG);

    @Test
    void aConfiguredTargetWithCredentialsIsShownWithoutThem() throws Exception {
        String target = "s3://user:" + SECRET + "@bucket/x/"; // not a target URL: S3 credentials come from the environment
        ServerConfig base = ApiHarness.config(tmp);
        ServerConfig config = new ServerConfig(base.dataDir(), target, base.csiEndpoint(), base.driverName(), base.nodeId(),
                base.nbdSocket(), base.nbdTcp(), base.environment(), base.http());
        try (ApiHarness api = ApiHarness.start(config)) {
            for (String path : List.of("/api/v1/info", "/api/v1/backup-target", "/api/v1/backup-volumes")) {
                ApiHarness.Answer answer = api.get(path);
                assertThat(answer.text()).as(path).contains("user:***@").doesNotContain(SECRET);
            }
        }
        assertThat(log.text()).doesNotContain(SECRET);
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Test
    void aPasswordInTheEndpointAppearsNowhere() throws Exception {
        String target = "s3://bucket@us-east-1/backups/";
        Map<String, String> env = new HashMap<>(Map.of(ServerConfig.BACKUP_LOCK_SETTLE_ENV, "0",
                "AWS_ENDPOINTS", "http://user:" + SECRET + "@127.0.0.1:" + closedPort(),
                "AWS_ACCESS_KEY_ID", "key", "AWS_SECRET_ACCESS_KEY", "other-secret"));
        ServerConfig base = ApiHarness.config(tmp);
        ServerConfig config = new ServerConfig(base.dataDir(), target, base.csiEndpoint(), base.driverName(), base.nodeId(),
                base.nbdSocket(), base.nbdTcp(), env, base.http());
        List<String> seen = new ArrayList<>();
        try (ApiHarness api = ApiHarness.start(config)) {
            ApiHarness.Answer setTarget = api.put("/api/v1/backup-target", Map.of("url", target));
            assertThat(setTarget.status()).isEqualTo(400);
            assertThat(setTarget.text()).contains("AWS_ENDPOINTS");
            seen.add(setTarget.text());
            ApiHarness.Answer asUrl = api.put("/api/v1/backup-target", Map.of("url", "http://user:" + SECRET + "@127.0.0.1/"));
            assertThat(asUrl.status()).isEqualTo(400);
            seen.add(asUrl.text());
            ApiHarness.Answer list = api.get("/api/v1/backup-volumes");
            assertThat(list.status()).isEqualTo(400);
            seen.add(list.text());
            seen.add(api.get("/api/v1/backup-volumes/db/backups").text());

            api.post("/api/v1/volumes", Map.of("name", "db", "sizeBytes", 4 << 20)).expect(201);
            ApiHarness.Answer backup = api.post("/api/v1/volumes/db/backups", Map.of());
            seen.add(backup.text());
            for (int i = 0; i < 100 && api.get("/api/v1/jobs").text().contains("\"running\""); i++) {
                Thread.sleep(50);
            }
            seen.add(api.get("/api/v1/jobs").text());
            seen.add(api.get("/api/v1/info").text());
            seen.add(api.get("/metrics").text());
        }
        Map<String, String> cliEnv = new HashMap<>(env);
        cliEnv.put(StrataCli.DATA_DIR_ENV, tmp.resolve("cli-data").toString());
        for (String[] args : List.of(new String[] {"backup", "ls", "--target", target},
                new String[] {"backup", "ls", "--target", "http://user:" + SECRET + "@127.0.0.1/"})) {
            CommandLine cli = StrataCli.create(cliEnv);
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            cli.setOut(new PrintWriter(out, true));
            cli.setErr(new PrintWriter(err, true));
            assertThat(cli.execute(args)).isNotZero();
            assertThat(err.toString()).startsWith("strata: ");
            seen.add(out + err.toString());
        }
        // a library that logs a URL as it was given, and an exception quoting one
        LoggerFactory.getLogger("org.example.Library").warn("connecting to {}", "http://user:" + SECRET + "@127.0.0.1:9",
                new IOException("Connect to http://user:" + SECRET + "@127.0.0.1:9 failed"));

        assertThat(seen).allSatisfy(text -> assertThat(text).doesNotContain(SECRET));
        String logged = log.text();
        assertThat(logged).contains("connecting to http://user:***@127.0.0.1:9").contains("Connect to http://user:***@127.0.0.1:9 failed")
                .doesNotContain(SECRET);
        try (Stream<Path> files = Files.walk(tmp)) {
            for (Path file : files.filter(Files::isRegularFile).filter(f -> !f.toString().endsWith(".img")).toList()) {
                assertThat(Files.readString(file, StandardCharsets.ISO_8859_1)).as("%s", file).doesNotContain(SECRET);
            }
        }
    }
}
