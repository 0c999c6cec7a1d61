package io.strata.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.strata.csi.DriverName;
import io.strata.server.ServerConfig;
import io.strata.server.ServerFile;
import io.strata.server.StrataServer;
import io.strata.server.http.ApiJson;
import io.strata.server.http.ApiTokens;
import io.strata.server.http.ProblemType;
import io.strata.server.http.Role;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * A {@code strata server} with HTTP on a free loopback port over a temporary data directory, and
 * a real HTTP client (the JDK's) to talk to it. Backup locks do not wait for rivals: nobody else
 * writes to the test's backup target.
 */
final class ApiHarness implements AutoCloseable {
    static final long MiB = 1 << 20;
    private static final JsonMapper JSON = ApiJson.lenientMapper();

    final Path dataDir;
    final StrataServer server;
    final URI base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** The server's admin token, which every request sends unless it says otherwise. */
    final String adminToken;

    private ApiHarness(Path dataDir, StrataServer server) {
        this.dataDir = dataDir;
        this.server = server;
        this.base = server.httpUrl().orElseThrow();
        try {
            // wherever the server took its tokens from: server.json names the directory
            this.adminToken = ApiTokens.read(Path.of(ServerFile.read(dataDir).orElseThrow().tokens()), Role.ADMIN).orElseThrow();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ServerConfig config(Path tmp) {
        Path data = tmp.resolve("data");
        return new ServerConfig(data, ServerConfig.defaultBackupTarget(data), ServerConfig.defaultCsiEndpoint(data),
                new DriverName("api.example.com"), "node-1", Map.of(ServerConfig.BACKUP_LOCK_SETTLE_ENV, "0"))
                .withHttp(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    static ApiHarness start(Path tmp) throws IOException {
        return start(config(tmp));
    }

    /** A server started from {@code config}, which must serve HTTP. */
    static ApiHarness start(ServerConfig config) throws IOException {
        return new ApiHarness(config.dataDir(), StrataServer.start(config));
    }

    /** A server whose backupstore locks wait {@code lockSettleSeconds} for rivals: its backups stay running that long. */
    static ApiHarness startWithLockSettle(Path tmp, int lockSettleSeconds) throws IOException {
        ServerConfig base = config(tmp);
        ServerConfig config = new ServerConfig(base.dataDir(), base.backupTarget(), base.csiEndpoint(), base.driverName(), base.nodeId(),
                base.nbdSocket(), base.nbdTcp(), Map.of(ServerConfig.BACKUP_LOCK_SETTLE_ENV, Integer.toString(lockSettleSeconds)),
                base.http());
        return new ApiHarness(config.dataDir(), StrataServer.start(config));
    }

    /** What one request got back. */
    record Answer(int status, HttpHeaders headers, String text) {
        JsonNode json() {
            try {
                return JSON.readTree(text);
            } catch (IOException e) {
                throw new AssertionError("not JSON (status " + status + "): " + text, e);
            }
        }

        String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        /** Asserts the status and returns the body. */
        JsonNode expect(int expected) {
            assertThat(status).as("status of an answer with body %s", text).isEqualTo(expected);
            return text.isEmpty() ? null : json();
        }
    }

    /** A value as the JSON tree it is written as, to compare with answers. */
    JsonNode json(Object value) {
        return JSON.valueToTree(value);
    }

    Answer get(String path) {
        return send("GET", path, null, null, Map.of());
    }

    Answer delete(String path) {
        return send("DELETE", path, null, null, Map.of());
    }

    /** POST with a JSON body: a string as it is, anything else written as JSON; null for no body. */
    Answer post(String path, Object body) {
        return send("POST", path, "application/json", bytes(body), Map.of());
    }

    Answer put(String path, Object body) {
        return send("PUT", path, "application/json", bytes(body), Map.of());
    }

    private static byte[] bytes(Object body) {
        try {
            return body == null ? new byte[0] : body instanceof String s ? s.getBytes(StandardCharsets.UTF_8) : JSON.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A request with the admin token, unless {@code headers} has an {@code Authorization} of its own. */
    Answer send(String method, String path, String contentType, byte[] body, Map<String, String> headers) {
        Map<String, String> all = new java.util.HashMap<>(headers);
        all.putIfAbsent("Authorization", "Bearer " + adminToken);
        return sendAs(method, path, contentType, body, all);
    }

    /** A request with exactly these headers: no token unless they carry one. */
    Answer sendAs(String method, String path, String contentType, byte[] body, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        headers.forEach(request::header);
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.headers(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Polls a job (its path, e.g. a 202's Location) until it is no longer running; returns it. */
    JsonNode awaitJob(String location) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            JsonNode job = get(location).expect(200);
            if (!job.get("state").asText().equals("running")) {
                return job;
            }
            assertThat(System.nanoTime()).as("job %s still running: %s", location, job).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    /** Asserts an RFC 9457 problem of this status and kind, and returns its detail. */
    static String assertProblem(Answer answer, ProblemType type) {
        assertThat(answer.status()).as("status; body %s", answer.text()).isEqualTo(type.status);
        assertThat(answer.header("Content-Type")).isEqualTo("application/problem+json");
        JsonNode problem = answer.json();
        assertThat(problem.properties()).extracting(Map.Entry::getKey)
                .contains("type", "title", "status", "detail", "instance")
                .isSubsetOf("type", "title", "status", "detail", "instance", "hint");
        if (problem.has("hint")) { // what to look up next, as data: the detail says it as the API's endpoint
            assertThat(problem.get("hint").get("kind").asText()).matches("list-.*|create-target-directory");
            assertThat(problem.get("detail").asText()).containsPattern("(GET|PUT) /api/v1/").doesNotContain("strata ");
        }
        assertThat(problem.get("type").asText()).isEqualTo("urn:strata:problem:" + type.slug);
        assertThat(problem.get("title").asText()).isEqualTo(type.title);
        assertThat(problem.get("status").asInt()).isEqualTo(type.status);
        assertThat(problem.get("instance").asText()).startsWith("/");
        String detail = problem.get("detail").asText();
        assertThat(detail).isNotBlank().doesNotContain("\tat ").doesNotContain("Exception:");
        return detail;
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
