package io.strata.server.ui;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.server.StrataServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The web UI's files over real HTTP: each one, byte for byte as written, with its content type,
 * its ETag and the revalidation that goes with it; nothing else, whatever the path says.
 */
class WebUiServingTest {
    /** The files as they are in the source tree. */
    static final Path SOURCES = Path.of(System.getProperty("basedir", ".")).resolve("src/main/resources/io/strata/server/ui/web");

    @TempDir
    static Path tmp;
    static StrataServer server;
    static URI base;
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws IOException {
        server = StrataServer.start(UiHarness.config(tmp));
        base = server.httpUrl().orElseThrow();
    }

    @AfterAll
    static void stop() throws IOException {
        server.close();
    }

    static HttpResponse<byte[]> get(String path, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30));
        headers.forEach(request::header);
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Test
    void theSourceDirectoryHoldsExactlyTheFilesServed() throws IOException {
        try (Stream<Path> files = Files.list(SOURCES)) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted().toList())
                    .isEqualTo(WebUi.FILES.stream().sorted().toList());
        }
    }

    @Test
    void theRootIsTheIndexPage() throws IOException {
        HttpResponse<byte[]> root = get("/", Map.of());
        assertThat(root.statusCode()).isEqualTo(200);
        assertThat(root.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(root.body()).isEqualTo(Files.readAllBytes(SOURCES.resolve("index.html")));
        assertThat(root.headers().firstValue("Content-Security-Policy").orElseThrow())
                .contains("default-src 'none'").contains("script-src 'self'").contains("connect-src 'self'");
        assertThat(root.headers().firstValue("X-Frame-Options")).hasValue("DENY");
        assertThat(root.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    }

    @ParameterizedTest
    @ValueSource(strings = {"index.html", "style.css", "icon.svg", "app.js", "api.js", "dom.js", "format.js", "dialogs.js",
            "volume-page.js", "backup-page.js"})
    void everyFileIsServedAsWrittenWithItsTypeAndAnETagThatRevalidates(String name) throws IOException {
        HttpResponse<byte[]> first = get("/ui/" + name, Map.of());
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.body()).isEqualTo(Files.readAllBytes(SOURCES.resolve(name)));
        String type = first.headers().firstValue("Content-Type").orElseThrow();
        String expected = switch (name.substring(name.lastIndexOf('.') + 1)) {
            case "html" -> "text/html; charset=utf-8";
            case "css" -> "text/css; charset=utf-8";
            case "js" -> "text/javascript; charset=utf-8";
            case "svg" -> "image/svg+xml";
            default -> throw new AssertionError(name);
        };
        assertThat(type).isEqualTo(expected);
        assertThat(first.headers().firstValue("Cache-Control")).as("kept, but asked about each time").hasValue("no-cache");
        String etag = first.headers().firstValue("ETag").orElseThrow();
        assertThat(etag).matches("\"[0-9a-f]{32}\"");

        HttpResponse<byte[]> again = get("/ui/" + name, Map.of("If-None-Match", etag));
        assertThat(again.statusCode()).isEqualTo(304);
        assertThat(again.body()).isEmpty();
        assertThat(again.headers().firstValue("ETag")).hasValue(etag);
        assertThat(get("/ui/" + name, Map.of("If-None-Match", "\"other\", W/" + etag)).statusCode()).as("a weak match in a list")
                .isEqualTo(304);
        assertThat(get("/ui/" + name, Map.of("If-None-Match", "*")).statusCode()).isEqualTo(304);
        HttpResponse<byte[]> changed = get("/ui/" + name, Map.of("If-None-Match", "\"0123456789abcdef0123456789abcdef\""));
        assertThat(changed.statusCode()).as("another version is sent whole").isEqualTo(200);
        assertThat(changed.body()).isEqualTo(first.body());
    }

    @Test
    void filesHaveTheirOwnETagsAndApiAnswersAreNeverCached() {
        TreeSet<String> etags = new TreeSet<>();
        for (String name : WebUi.FILES) {
            etags.add(get("/ui/" + name, Map.of()).headers().firstValue("ETag").orElseThrow());
        }
        assertThat(etags).hasSameSizeAs(WebUi.FILES);
        HttpResponse<byte[]> api = get("/api/v1/volumes", Map.of());
        assertThat(api.headers().firstValue("Cache-Control")).hasValue("no-store");
        assertThat(api.headers().firstValue("ETag")).isEmpty();
    }

    /** Every script and style a page loads is one of the files served, and none comes from elsewhere. */
    @Test
    void pagesLoadOnlyFilesOfThisServer() throws IOException {
        Pattern reference = Pattern.compile("(?:from\\s+'\\./([^']+)')|(?:(?:src|href)=\"/ui/([^\"]+)\")");
        List<String> referenced = new ArrayList<>();
        for (String name : WebUi.FILES) {
            String text = Files.readString(SOURCES.resolve(name), StandardCharsets.UTF_8);
            Matcher m = reference.matcher(text);
            while (m.find()) {
                referenced.add(m.group(1) != null ? m.group(1) : m.group(2));
            }
            // the SVG namespace is a name, not an address that is fetched
            assertThat(text.replace("http://www.w3.org/2000/svg", "")).as("%s names no other server", name)
                    .doesNotContain("http://").doesNotContain("https://").doesNotContain("url(").doesNotContain("@import");
        }
        assertThat(referenced).contains("app.js", "style.css", "api.js", "volume-page.js", "backup-page.js");
        assertThat(WebUi.FILES).containsAll(referenced);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/ui/nothing.js", "/ui/", "/ui", "/index.html", "/favicon.ico", "/ui/app.js/more", "/ui/App.js",
            "/volumes", "/backup"})
    void unknownPathsAre404Problems(String path) {
        RawAnswer answer = raw("GET", path);
        assertThat(answer.status()).as("GET %s: %s", path, answer.body()).isEqualTo(404);
        assertThat(answer.header("Content-Type")).isEqualTo("application/problem+json");
        assertThat(answer.body()).contains("no-such-path");
    }

    /** Paths that would reach other resources or files if they were joined to a directory. None does. */
    @ParameterizedTest
    @ValueSource(strings = {"/ui/../api/openapi.json", "/ui/..%2Fapi%2Fopenapi.json", "/ui/%2e%2e%2fWebUi.class", "/ui/..%2FWebUi.class",
            "/ui/%2E%2E/WebUi.class", "/ui/..%5CWebUi.class", "/ui/web%2Findex.html", "/ui/.%2Findex.html", "/ui/%2Fetc%2Fpasswd",
            "/ui/..%2F..%2F..%2F..%2F..%2F..%2F..%2Fetc%2Fpasswd", "/../../../../etc/passwd", "/ui/%00index.html",
            "/ui/index.html%00.js", "/ui/..", "/ui/.", "/ui/%2e%2e", "/ui//etc/passwd", "/ui/index.html/..%2F..%2FWebUi.class"})
    void noPathReachesAnythingButTheListedFiles(String path) throws IOException {
        RawAnswer answer = raw("GET", path);
        assertThat(answer.status()).as("GET %s", path).isIn(400, 404);
        assertThat(answer.body()).doesNotContain("root:").doesNotContain("\"openapi\"").doesNotContain("<!doctype html>");
        assertThat(new String(answer.bytes(), StandardCharsets.ISO_8859_1)).as("no class file").doesNotContain("\u00CA\u00FE\u00BA\u00BE");
    }

    @Test
    void onlyGetIsAllowedOnTheFiles() {
        RawAnswer post = raw("POST", "/ui/app.js");
        assertThat(post.status()).isEqualTo(405);
        assertThat(post.header("Allow")).isEqualTo("GET");
        assertThat(raw("DELETE", "/").status()).isEqualTo(405);
    }

    /** What a raw request got: the JDK client would normalize or refuse some of the paths tried here. */
    record RawAnswer(int status, Map<String, String> headers, byte[] bytes) {
        String header(String name) {
            return headers.get(name.toLowerCase(java.util.Locale.ROOT));
        }

        String body() {
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    static RawAnswer raw(String method, String path) {
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write((method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n"
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = socket.getInputStream();
            byte[] all = in.readAllBytes();
            String text = new String(all, StandardCharsets.ISO_8859_1);
            int end = text.indexOf("\r\n\r\n");
            String[] lines = text.substring(0, end).split("\r\n");
            int status = Integer.parseInt(lines[0].split(" ")[1]);
            Map<String, String> headers = new java.util.HashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                headers.put(lines[i].substring(0, colon).strip().toLowerCase(java.util.Locale.ROOT), lines[i].substring(colon + 1).strip());
            }
            byte[] body = java.util.Arrays.copyOfRange(all, end + 4, all.length);
            if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
                body = dechunk(body);
            }
            return new RawAnswer(status, headers, body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] dechunk(byte[] body) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        String text = new String(body, StandardCharsets.ISO_8859_1);
        int at = 0;
        while (true) {
            int eol = text.indexOf("\r\n", at);
            int size = Integer.parseInt(text.substring(at, eol).strip(), 16);
            if (size == 0) {
                return out.toByteArray();
            }
            out.write(body, eol + 2, size);
            at = eol + 2 + size + 2;
        }
    }
}
