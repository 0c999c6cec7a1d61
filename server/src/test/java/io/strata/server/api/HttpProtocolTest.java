package io.strata.server.api;

import static io.strata.server.api.ApiHarness.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.strata.server.http.ProblemType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every way a request can be wrong at the HTTP level gets a 4xx problem+json that says what to
 * send instead; none is a 500, none carries a stack trace, and none changes anything.
 */
class HttpProtocolTest {
    @TempDir
    static Path tmp;
    static ApiHarness api;

    @BeforeAll
    static void start() throws IOException {
        api = ApiHarness.start(tmp);
    }

    @AfterAll
    static void stop() throws IOException {
        api.close();
    }

    @Test
    void anUnknownPathIs404AndAKnownPathWithAnotherMethodIs405WithAllow() {
        assertThat(assertProblem(api.get("/api/v1/nothing-here"), ProblemType.NO_SUCH_PATH)).contains("/openapi.json");
        assertProblem(api.get("/api"), ProblemType.NO_SUCH_PATH);
        assertProblem(api.get("/api/v1/volumes/"), ProblemType.NO_SUCH_PATH);
        ApiHarness.Answer answer = api.put("/api/v1/volumes", "{}");
        assertThat(assertProblem(answer, ProblemType.METHOD_NOT_ALLOWED)).contains("GET, POST");
        assertThat(answer.header("Allow")).isEqualTo("GET, POST");
        assertProblem(api.send("PATCH", "/api/v1/volumes/vol", "application/json", "{}".getBytes(), Map.of()),
                ProblemType.METHOD_NOT_ALLOWED);
    }

    @Test
    void postsAndPutsTakeJsonOnly() {
        assertThat(assertProblem(api.send("POST", "/api/v1/volumes", null, "{\"name\":\"v\"}".getBytes(), Map.of()),
                ProblemType.UNSUPPORTED_MEDIA_TYPE)).contains("application/json");
        assertProblem(api.send("POST", "/api/v1/volumes", "text/plain", "{\"name\":\"v\"}".getBytes(), Map.of()),
                ProblemType.UNSUPPORTED_MEDIA_TYPE);
        assertProblem(api.send("POST", "/api/v1/volumes", "application/x-www-form-urlencoded", "name=v".getBytes(), Map.of()),
                ProblemType.UNSUPPORTED_MEDIA_TYPE);
        // an action without fields too: a cross-site form could send it otherwise
        assertProblem(api.send("POST", "/api/v1/volumes/v/snapshots/s/revert", "text/plain", new byte[0], Map.of()),
                ProblemType.UNSUPPORTED_MEDIA_TYPE);
        assertThat(api.send("POST", "/api/v1/volumes", "application/json; charset=utf-8",
                "{\"name\":\"charset\",\"sizeBytes\":4096}".getBytes(), Map.of()).status()).isEqualTo(201);
        assertThat(api.get("/api/v1/volumes").json().findValuesAsText("name")).containsExactly("charset");
        api.delete("/api/v1/volumes/charset").expect(204);
    }

    @Test
    void malformedBodiesAre400AndSayWhatIsWrong() {
        assertThat(assertProblem(api.post("/api/v1/volumes", "{\"name\": "), ProblemType.MALFORMED_BODY)).contains("not valid JSON");
        assertThat(assertProblem(api.post("/api/v1/volumes", "not json"), ProblemType.MALFORMED_BODY)).contains("not valid JSON");
        assertThat(assertProblem(api.post("/api/v1/volumes", (Object) null), ProblemType.MALFORMED_BODY)).contains("empty");
        assertThat(assertProblem(api.post("/api/v1/volumes", "{\"name\":\"v\",\"sizeGiB\":1}"), ProblemType.MALFORMED_BODY))
                .contains("unknown field 'sizeGiB'").contains("name, size, sizeBytes, source");
        assertThat(assertProblem(api.post("/api/v1/volumes", "{\"name\":\"v\",\"sizeBytes\":\"big\"}"), ProblemType.MALFORMED_BODY))
                .contains("'sizeBytes' must be an integer");
        assertThat(assertProblem(api.post("/api/v1/volumes", "{\"name\":\"v\",\"sizeBytes\":1.5}"), ProblemType.MALFORMED_BODY))
                .contains("sizeBytes");
        assertThat(assertProblem(api.post("/api/v1/volumes", "{\"name\":7}"), ProblemType.MALFORMED_BODY)).contains("'name' must be a string");
        assertProblem(api.post("/api/v1/volumes", "[1,2]"), ProblemType.MALFORMED_BODY);
        assertProblem(api.post("/api/v1/volumes", "{\"name\":\"v\"} {\"name\":\"w\"}"), ProblemType.MALFORMED_BODY);
        assertProblem(api.post("/api/v1/volumes", "{\"name\":\"v\",\"source\":" + "[".repeat(5000) + "]".repeat(5000) + "}"),
                ProblemType.MALFORMED_BODY);
        assertProblem(api.post("/api/v1/volumes", "[".repeat(5000) + "]".repeat(5000)), ProblemType.MALFORMED_BODY);
        assertThat(assertProblem(api.post("/api/v1/volumes/v/snapshots", "{\"name\":\"s\",\"labels\":{\"a\":1}}"),
                ProblemType.NOT_FOUND)).as("the volume is looked up first").contains("volume 'v'");
        assertThat(api.get("/api/v1/volumes").json()).as("nothing was created").isEmpty();
    }

    @Test
    void hugeBodiesAre413WhetherTheyDeclareTheirLengthOrNot() {
        byte[] huge = ("{\"name\":\"v\",\"source\":\"" + "x".repeat(200_000) + "\"}").getBytes(StandardCharsets.UTF_8);
        assertThat(assertProblem(api.post("/api/v1/volumes", new String(huge, StandardCharsets.UTF_8)), ProblemType.BODY_TOO_LARGE))
                .contains("65536");
        assertThat(api.get("/api/v1/volumes").json()).isEmpty();
    }

    @Test
    void aRequestForAnotherHostOnALoopbackServerIsRefusedEvenWithItsToken() {
        // what a web page gets when it rebinds its DNS name to 127.0.0.1
        java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
        ApiHarness.Answer answer = rawGet("/api/v1/volumes", "evil.example.com");
        assertThat(assertProblem(answer, ProblemType.FORBIDDEN_HOST)).contains("localhost");
        assertThat(rawGet("/api/v1/volumes", "localhost:" + api.base.getPort()).status()).isEqualTo(200);
        assertThat(rawGet("/api/v1/volumes", "127.0.0.1").status()).isEqualTo(200);
        client.close();
    }

    /** A request with the Host header of our choice: the JDK client will not let us set it. */
    private static ApiHarness.Answer rawGet(String path, String host) {
        try (java.net.Socket socket = new java.net.Socket(api.base.getHost(), api.base.getPort())) {
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nAuthorization: Bearer " + api.adminToken
                    + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            String text = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int status = Integer.parseInt(text.substring(9, 12));
            java.util.Map<String, java.util.List<String>> headers = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            String[] parts = text.split("\r\n\r\n", 2);
            for (String line : parts[0].split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    headers.computeIfAbsent(line.substring(0, colon).strip(), k -> new java.util.ArrayList<>()).add(line.substring(colon + 1).strip());
                }
            }
            String body = parts.length > 1 ? parts[1] : "";
            if ("chunked".equalsIgnoreCase(headers.getOrDefault("Transfer-Encoding", java.util.List.of("")).getFirst())) {
                body = dechunk(body);
            }
            return new ApiHarness.Answer(status, java.net.http.HttpHeaders.of(headers, (a, b) -> true), body);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String dechunk(String body) {
        StringBuilder out = new StringBuilder();
        int at = 0;
        while (true) {
            int eol = body.indexOf("\r\n", at);
            int size = Integer.parseInt(body.substring(at, eol).strip(), 16);
            if (size == 0) {
                return out.toString();
            }
            out.append(body, eol + 2, eol + 2 + size);
            at = eol + 2 + size + 2;
        }
    }

    @Test
    void badPathAndQueryValuesAre400() {
        assertThat(assertProblem(api.get("/api/v1/volumes/bad%2Fname"), ProblemType.INVALID_ARGUMENT)).contains("bad/name");
        assertThat(rawGet("/api/v1/volumes/%zz", "localhost").status()).as("the JDK's server refuses it first").isEqualTo(400);
        assertProblem(api.get("/api/v1/jobs?state=sleeping"), ProblemType.INVALID_ARGUMENT);
        assertThat(assertProblem(api.delete("/api/v1/volumes/none?withSnapshots=maybe"), ProblemType.NOT_FOUND))
                .as("the volume is looked up before the flag").contains("none");
    }
}
