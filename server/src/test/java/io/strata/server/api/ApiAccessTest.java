package io.strata.server.api;

import static io.strata.server.api.ApiHarness.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.csi.LogCapture;
import io.strata.domain.StrataException;
import io.strata.server.ServerConfig;
import io.strata.server.ServerFile;
import io.strata.server.http.Access;
import io.strata.server.http.ApiTokens;
import io.strata.server.http.ProblemType;
import io.strata.server.http.Role;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Who may use the API. The shared server listens as the deployment's does, on every interface
 * (0.0.0.0, a free port), and names one more host ({@code strata.example.com}): a request naming
 * any other host is refused whatever its token (DNS rebinding), every request to the API needs a
 * token — from loopback clients too, as {@code kubectl port-forward} delivers remote users from
 * loopback — and the read-only token reads only. Health, metrics, the OpenAPI document and the web
 * UI's files answer without one.
 */
class ApiAccessTest {
    @TempDir
    static Path tmp;
    static ApiHarness api;
    static String readToken;
    @RegisterExtension
    final LogCapture logs = new LogCapture();

    @BeforeAll
    static void start() throws IOException {
        api = ApiHarness.start(ApiHarness.config(tmp).withHttp(new InetSocketAddress(0)).withHttpHosts(List.of("strata.example.com")));
        assertThat(api.server.http().orElseThrow().address().getAddress().isAnyLocalAddress()).as("listening on every interface").isTrue();
        readToken = ApiTokens.read(api.dataDir.resolve(ApiTokens.DIRECTORY), Role.READ_ONLY).orElseThrow();
    }

    @AfterAll
    static void stop() throws IOException {
        api.close();
    }

    private static Map<String, String> bearer(String token) {
        return Map.of("Authorization", "Bearer " + token);
    }

    private static byte[] volume(String name) {
        return ("{\"name\":\"" + name + "\",\"sizeBytes\":4096}").getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> volumes() {
        return api.get("/api/v1/volumes").expect(200).findValuesAsText("name");
    }

    @Test
    void aRequestNamingAnotherHostIsRefusedOnAPublicListenerWhateverItsToken() {
        Map<String, String> admin = bearer(api.adminToken);
        String detail = assertProblem(raw("GET", "/api/v1/volumes", "evil.example", admin, null), ProblemType.FORBIDDEN_HOST);
        assertThat(detail).contains("evil.example").contains("--http-hosts").contains("STRATA_HTTP_HOSTS");
        assertProblem(raw("POST", "/api/v1/volumes", "evil.example:" + api.base.getPort(), admin, volume("evil")), ProblemType.FORBIDDEN_HOST);
        api.post("/api/v1/volumes", new String(volume("kept"), StandardCharsets.UTF_8)).expect(201);
        assertProblem(raw("DELETE", "/api/v1/volumes/kept", "evil.example", admin, null), ProblemType.FORBIDDEN_HOST);
        assertProblem(raw("GET", "/metrics", "evil.example", Map.of(), null), ProblemType.FORBIDDEN_HOST);
        assertProblem(raw("GET", "/api/v1/volumes", "strata.example.com.evil.example", admin, null), ProblemType.FORBIDDEN_HOST);
        assertThat(volumes()).as("nothing was created or deleted").containsExactly("kept");

        // the names it is reachable by, with any port (a port-forward maps it)
        for (String host : List.of("localhost", "localhost:8080", "127.0.0.1:" + api.base.getPort(), "[::1]:9", "STRATA.example.com:443",
                "strata.example.com")) {
            assertThat(raw("GET", "/api/v1/volumes", host, admin, null).status()).as("Host: %s", host).isEqualTo(200);
        }
        api.delete("/api/v1/volumes/kept").expect(204);
    }

    @Test
    void anAddressOfThisMachineIsANameOfTheServer() throws IOException {
        Optional<InetAddress> external = nonLoopbackAddress();
        if (external.isEmpty()) {
            System.err.println("skipping the part over a non-loopback address: this machine has none");
            return;
        }
        String host = external.get().getHostAddress();
        try (Socket socket = new Socket(external.get(), api.base.getPort())) {
            ApiHarness.Answer answer = exchange(socket, "GET", "/api/v1/volumes", host + ":" + api.base.getPort(), bearer(api.adminToken), null);
            assertThat(answer.status()).as("a client on %s, naming it", host).isEqualTo(200);
        }
        try (Socket socket = new Socket(external.get(), api.base.getPort())) {
            assertProblem(exchange(socket, "GET", "/api/v1/volumes", "evil.example", bearer(api.adminToken), null), ProblemType.FORBIDDEN_HOST);
        }
        try (Socket socket = new Socket(external.get(), api.base.getPort())) {
            assertProblem(exchange(socket, "GET", "/api/v1/volumes", host, Map.of(), null), ProblemType.UNAUTHENTICATED);
        }
    }

    @Test
    void withoutOneOfItsTokensTheApiAnswers401EvenToALoopbackClient() {
        ApiHarness.Answer none = api.sendAs("GET", "/api/v1/volumes", null, null, Map.of());
        assertThat(assertProblem(none, ProblemType.UNAUTHENTICATED)).contains("Authorization: Bearer");
        assertThat(none.header("WWW-Authenticate")).isEqualTo("Bearer realm=\"strata\"");
        ApiHarness.Answer wrong = api.sendAs("GET", "/api/v1/volumes", null, null, bearer(api.adminToken.substring(1) + "x"));
        assertThat(assertProblem(wrong, ProblemType.UNAUTHENTICATED)).doesNotContain(api.adminToken);
        assertThat(wrong.header("WWW-Authenticate")).isEqualTo("Bearer realm=\"strata\", error=\"invalid_token\"");
        assertProblem(api.sendAs("GET", "/api/v1/volumes", null, null, Map.of("Authorization", "Basic YWRtaW46YWRtaW4=")),
                ProblemType.UNAUTHENTICATED);
        assertProblem(api.sendAs("GET", "/api/v1/volumes", null, null, Map.of("Authorization", api.adminToken)), ProblemType.UNAUTHENTICATED);
        assertProblem(api.sendAs("POST", "/api/v1/volumes", "application/json", volume("anonymous"), Map.of()), ProblemType.UNAUTHENTICATED);
        assertProblem(api.sendAs("DELETE", "/api/v1/volumes/anonymous", null, null, Map.of()), ProblemType.UNAUTHENTICATED);
        assertThat(api.sendAs("GET", "/api/v1/volumes", null, null, Map.of("Authorization", "bearer  " + api.adminToken)).status())
                .as("the scheme is case-insensitive").isEqualTo(200);
        assertThat(volumes()).doesNotContain("anonymous");
    }

    @Test
    void theReadOnlyTokenReadsAndChangesNothing() {
        assertThat(api.sendAs("GET", "/api/v1/volumes", null, null, bearer(readToken)).status()).isEqualTo(200);
        assertThat(api.sendAs("GET", "/api/v1/info", null, null, bearer(readToken)).status()).isEqualTo(200);
        ApiHarness.Answer create = api.sendAs("POST", "/api/v1/volumes", "application/json", volume("ro"), bearer(readToken));
        assertThat(assertProblem(create, ProblemType.PERMISSION_DENIED)).contains("read-only").contains("admin token");
        api.post("/api/v1/volumes", new String(volume("ro-kept"), StandardCharsets.UTF_8)).expect(201);
        assertProblem(api.sendAs("DELETE", "/api/v1/volumes/ro-kept", null, null, bearer(readToken)), ProblemType.PERMISSION_DENIED);
        assertProblem(api.sendAs("PUT", "/api/v1/backup-target", "application/json", "{\"url\":\"file:///tmp/elsewhere\"}".getBytes(),
                bearer(readToken)), ProblemType.PERMISSION_DENIED);
        assertThat(volumes()).contains("ro-kept").doesNotContain("ro");
        api.delete("/api/v1/volumes/ro-kept").expect(204);
    }

    @Test
    void theAdminTokenDoesEverything() {
        ApiHarness.Answer created = api.sendAs("POST", "/api/v1/volumes", "application/json", volume("admin"), bearer(api.adminToken));
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        assertThat(api.sendAs("DELETE", "/api/v1/volumes/admin", null, null, bearer(api.adminToken)).status()).isEqualTo(204);
    }

    @Test
    void healthMetricsTheDocumentAndTheWebUiNeedNoToken() {
        for (String path : List.of("/healthz", "/readyz", "/metrics", "/openapi.json", "/", "/ui/app.js", "/ui/login.js")) {
            ApiHarness.Answer answer = api.sendAs("GET", path, null, null, Map.of());
            assertThat(answer.status()).as("GET %s: %s", path, answer.text()).isEqualTo(200);
        }
        assertThat(api.sendAs("GET", "/healthz", null, null, Map.of()).text()).isEqualTo("ok\n");
        assertThat(api.sendAs("GET", "/metrics", null, null, Map.of()).text()).contains("strata_volumes");
    }

    @Test
    void tokensAreGeneratedOnceKeptPrivateAndSurviveARestart(@TempDir Path dir) throws IOException {
        Path tokens = dir.resolve("data").resolve(ApiTokens.DIRECTORY);
        String admin;
        String read;
        try (ApiHarness first = ApiHarness.start(dir)) {
            admin = ApiTokens.read(tokens, Role.ADMIN).orElseThrow();
            read = ApiTokens.read(tokens, Role.READ_ONLY).orElseThrow();
            assertThat(admin).matches("[A-Za-z0-9_-]{43}").isNotEqualTo(read);
            assertThat(read).matches("[A-Za-z0-9_-]{43}");
            assertThat(Files.getPosixFilePermissions(tokens)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
            for (Role role : Role.values()) {
                assertThat(Files.getPosixFilePermissions(tokens.resolve(role.fileName()))).as(role.fileName())
                        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
            }
            String serverFile = Files.readString(first.dataDir.resolve(ServerFile.NAME));
            assertThat(serverFile).as("server.json names where the tokens are, not what").contains(tokens.toString())
                    .doesNotContain(admin).doesNotContain(read);
            assertThat(ServerFile.read(first.dataDir).orElseThrow().tokens()).isEqualTo(tokens.toString());
        }
        Files.setPosixFilePermissions(tokens.resolve(Role.ADMIN.fileName()), PosixFilePermissions.fromString("rw-r--r--"));
        try (ApiHarness second = ApiHarness.start(dir)) {
            assertThat(second.adminToken).as("the same token after a restart").isEqualTo(admin);
            assertThat(second.sendAs("GET", "/api/v1/volumes", null, null, bearer(admin)).status()).isEqualTo(200);
            assertThat(second.sendAs("GET", "/api/v1/volumes", null, null, bearer(read)).status()).isEqualTo(200);
            assertThat(Files.getPosixFilePermissions(tokens.resolve(Role.ADMIN.fileName())))
                    .as("made private again").isEqualTo(PosixFilePermissions.fromString("rw-------"));
        }
    }

    @Test
    void noTokenReachesTheLogNorAnAnswer(@TempDir Path dir) throws IOException {
        String wrongToken = "w".repeat(43);
        try (ApiHarness server = ApiHarness.start(dir)) {
            String read = ApiTokens.read(server.dataDir.resolve(ApiTokens.DIRECTORY), Role.READ_ONLY).orElseThrow();
            List<ApiHarness.Answer> answers = List.of(
                    server.sendAs("GET", "/api/v1/volumes", null, null, bearer(server.adminToken)),
                    server.sendAs("POST", "/api/v1/volumes", "application/json", volume("x"), bearer(read)),
                    server.sendAs("GET", "/api/v1/volumes/nope", null, null, bearer(read)),
                    server.sendAs("GET", "/api/v1/volumes", null, null, bearer(wrongToken)),
                    server.sendAs("GET", "/api/v1/volumes", null, null, Map.of("Authorization", "Basic " + wrongToken)));
            assertThat(answers).extracting(ApiHarness.Answer::status).containsExactly(200, 403, 404, 401, 401);
            assertThat(answers).allSatisfy(a -> assertThat(a.text()).doesNotContain(server.adminToken).doesNotContain(read)
                    .doesNotContain(wrongToken));
            assertThat(logs.text()).as("the log was captured").contains("API tokens (admin, read-only) are in")
                    .doesNotContain(server.adminToken).doesNotContain(read).doesNotContain(wrongToken);
        }
    }

    @Test
    void tokensFromAConfiguredDirectoryAsAMountedSecretGivesThem(@TempDir Path dir) throws IOException {
        Path secret = Files.createDirectories(dir.resolve("secret"));
        String admin = "admin-" + "a".repeat(40);
        String read = "read-" + "r".repeat(40);
        Files.writeString(secret.resolve("admin.token"), admin + "\n");
        Files.writeString(secret.resolve("read-only.token"), read);
        try (ApiHarness server = ApiHarness.start(ApiHarness.config(dir).withApiTokens(secret))) {
            assertThat(server.sendAs("GET", "/api/v1/volumes", null, null, bearer(admin)).status()).isEqualTo(200);
            assertProblem(server.sendAs("POST", "/api/v1/volumes", "application/json", volume("x"), bearer(read)), ProblemType.PERMISSION_DENIED);
            assertThat(Files.exists(dir.resolve("data").resolve(ApiTokens.DIRECTORY))).as("nothing generated").isFalse();
            assertThat(ServerFile.read(server.dataDir).orElseThrow().tokens()).isEqualTo(secret.toString());
        }

        // a configured directory that holds no token and that even root cannot write, as a Secret's mount is read-only:
        // the data directory's tokens, generated
        ServerConfig unwritable = ApiHarness.config(dir.resolve("second")).withApiTokens(Path.of("/proc/self"));
        try (ApiHarness server = ApiHarness.start(unwritable)) {
            Path generated = server.dataDir.resolve(ApiTokens.DIRECTORY);
            assertThat(ServerFile.read(server.dataDir).orElseThrow().tokens()).isEqualTo(generated.toString());
            assertThat(server.adminToken).isEqualTo(ApiTokens.read(generated, Role.ADMIN).orElseThrow());
        }

        // a file that holds no usable token stops the start, without showing what it holds
        Path bad = Files.createDirectories(dir.resolve("bad"));
        Files.writeString(bad.resolve("admin.token"), "hunter2");
        ServerConfig badConfig = ApiHarness.config(dir.resolve("third")).withApiTokens(bad);
        assertThatThrownBy(() -> ApiHarness.start(badConfig)).isInstanceOf(StrataException.InvalidArgument.class)
                .hasMessageContaining("admin.token").hasMessageContaining("not a usable token").hasMessageNotContaining("hunter2");
        Files.writeString(bad.resolve("admin.token"), admin);
        Files.writeString(bad.resolve("read-only.token"), admin);
        assertThatThrownBy(() -> ApiHarness.start(badConfig)).isInstanceOf(StrataException.InvalidArgument.class)
                .hasMessageContaining("the same").hasMessageNotContaining(admin);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "localhost|localhost", "LocalHost:9500|localhost", "strata.example.com.|strata.example.com", "10.0.0.7:80|10.0.0.7",
            "[::1]:9500|[::1]", "[FE80::1]|[fe80::1]", "a-b.c|a-b.c"})
    void hostNamesAreReadWithoutTheirPort(String host, String name) {
        assertThat(Access.hostName(host)).isEqualTo(name);
        assertThat(ServerConfig.parseHttpHosts(" " + host + " ,, other.example")).containsExactly(name, "other.example");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {"evil.example/path", "user@host", "host:port", "::1", "[::1", "-leading.example", "a..b",
            "host name", "[zz::1]", "http://host"})
    void whatIsNoHostNameIsRefusedAtStart(String entry) {
        assertThatThrownBy(() -> ServerConfig.parseHttpHosts(entry)).isInstanceOf(StrataException.InvalidArgument.class)
                .hasMessageContaining("is not a host name");
    }

    private static Optional<InetAddress> nonLoopbackAddress() throws SocketException {
        List<InetAddress> found = new ArrayList<>();
        for (NetworkInterface nic : NetworkInterface.networkInterfaces().toList()) {
            if (nic.isUp() && !nic.isLoopback()) {
                nic.inetAddresses().filter(a -> a instanceof Inet4Address && !a.isLinkLocalAddress()).forEach(found::add);
            }
        }
        return found.stream().findFirst();
    }

    /** A request with the Host header of our choice, which the JDK's client will not send. */
    private static ApiHarness.Answer raw(String method, String path, String host, Map<String, String> headers, byte[] body) {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), api.base.getPort())) {
            return exchange(socket, method, path, host, headers, body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ApiHarness.Answer exchange(Socket socket, String method, String path, String host, Map<String, String> headers, byte[] body)
            throws IOException {
        StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n");
        headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        if (body != null) {
            head.append("Content-Type: application/json\r\nContent-Length: ").append(body.length).append("\r\n");
        }
        socket.getOutputStream().write(head.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
        if (body != null) {
            socket.getOutputStream().write(body);
        }
        String text = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        Map<String, List<String>> fields = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        String[] parts = text.split("\r\n\r\n", 2);
        for (String line : parts[0].split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                fields.computeIfAbsent(line.substring(0, colon).strip(), k -> new ArrayList<>()).add(line.substring(colon + 1).strip());
            }
        }
        return new ApiHarness.Answer(Integer.parseInt(text.substring(9, 12)), HttpHeaders.of(fields, (a, b) -> true),
                parts.length > 1 ? parts[1] : "");
    }
}
