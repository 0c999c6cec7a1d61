package io.strata.backupstore.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Throttling, server errors and a server that never answers, as the real SDK and HTTP client meet
 * them on the wire: S3Proxy cannot be made to fail on demand, so a small HTTP server on 127.0.0.1
 * answers the first requests with an error and then with the object.
 */
class S3RetryTest {
    private static final byte[] OBJECT = "the object".getBytes(StandardCharsets.UTF_8);
    private static final Tuning THREE_ATTEMPTS = new Tuning(3, Duration.ofMillis(10), Duration.ofMillis(20), Duration.ofMillis(100),
            Duration.ofSeconds(2), Duration.ofMillis(500), Duration.ofSeconds(5), Duration.ofSeconds(5), 4);

    private final AtomicInteger requests = new AtomicInteger();
    private final CountDownLatch released = new CountDownLatch(1);
    private final ExecutorService handlers = Executors.newFixedThreadPool(4);
    private volatile int failures;
    private volatile int status;
    private volatile String code;
    private HttpServer http;

    @BeforeEach
    void listen() throws IOException {
        http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.setExecutor(handlers);
        http.createContext("/", this::answer);
        http.start();
    }

    @AfterEach
    void stop() throws InterruptedException {
        released.countDown();
        http.stop(0);
        handlers.shutdownNow();
        handlers.awaitTermination(5, TimeUnit.SECONDS);
    }

    private void answer(HttpExchange exchange) throws IOException {
        try (exchange) {
            exchange.getRequestBody().readAllBytes();
            int n = requests.incrementAndGet();
            if (status == 0) {
                released.await(); // never answers until the test ends
                return;
            }
            if (n <= failures) {
                byte[] error = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code
                        + "</Code><Message>injected</Message></Error>").getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/xml");
                exchange.sendResponseHeaders(status, error.length);
                exchange.getResponseBody().write(error);
                return;
            }
            exchange.getResponseHeaders().add("Last-Modified", "Sun, 22 Nov 2026 06:00:00 GMT");
            exchange.getResponseHeaders().add("ETag", "\"0\"");
            exchange.sendResponseHeaders(200, OBJECT.length);
            exchange.getResponseBody().write(OBJECT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private S3Target target() {
        Map<String, String> env = Map.of("AWS_ACCESS_KEY_ID", "key", "AWS_SECRET_ACCESS_KEY", "secret",
                "AWS_ENDPOINTS", "http://127.0.0.1:" + http.getAddress().getPort());
        return S3Target.open(S3TestServer.url("bucket", "backups/"), env, THREE_ATTEMPTS);
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"503, SlowDown", "429, TooManyRequests", "500, InternalError", "502, BadGateway", "503, ServiceUnavailable"})
    void throttlingAndServerErrorsAreRetriedUntilTheyPass(int status, String code) throws IOException {
        this.status = status;
        this.code = code;
        this.failures = 2;
        try (S3Target target = target()) {
            assertThat(target.read("a/b")).hasValue(OBJECT);
        }
        assertThat(requests).hasValue(3);
    }

    @Test
    void errorsThatOutlastTheAttemptsFailNamingTheServersCode() {
        status = 503;
        code = "SlowDown";
        failures = 100;
        try (S3Target target = target()) {
            assertThatThrownBy(() -> target.write("a/b", OBJECT)).isInstanceOf(IOException.class)
                    .hasMessage("cannot write a/b to s3://bucket@us-east-1/backups/: SlowDown: injected (HTTP 503)");
        }
        assertThat(requests).hasValue(3);
    }

    @Test
    void aRequestErrorIsNotRetried() {
        status = 400;
        code = "InvalidRequest";
        failures = 100;
        try (S3Target target = target()) {
            assertThatThrownBy(() -> target.read("a/b")).isInstanceOf(IOException.class).hasMessageContaining("InvalidRequest");
        }
        assertThat(requests).hasValue(1);
    }

    @Test
    void aServerThatNeverAnswersFailsInBoundedTime() {
        status = 0;
        try (S3Target target = target()) {
            assertTimeoutPreemptively(Duration.ofSeconds(10), () -> assertThatThrownBy(() -> target.read("a/b"))
                    .isInstanceOf(IOException.class).hasMessageStartingWith("cannot read a/b from s3://bucket@us-east-1/backups/: ")
                    .hasMessageContaining("timed out"));
        }
        assertThat(requests).hasValue(3);
    }
}
