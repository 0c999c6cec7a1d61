package io.strata.backupstore.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.strata.backupstore.target.TargetUrl;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the contract suite cannot say about S3: addressing, paging, credentials, outages, TLS, proxies. */
class S3TargetTest {
    private static final byte[] DATA = {1, 2, 3};
    private final S3TestServer server = S3TestServer.shared();
    private final List<AutoCloseable> opened = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : opened.reversed()) {
            c.close();
        }
    }

    private <T extends AutoCloseable> T opened(T closeable) {
        opened.add(closeable);
        return closeable;
    }

    private S3Target open(String url, Map<String, String> env) {
        return opened(S3Target.open((TargetUrl.S3) TargetUrl.parse(url), env, S3TestServer.FAST));
    }

    @Test
    void requestsGoPathStyleToAnEndpointAndVirtualHostedToAws() {
        Map<String, String> env = server.env();
        assertThat(open("s3://bucket@us-east-1/backups/", env).objectUrl("backupstore/volumes/v/volume.cfg"))
                .isEqualTo(server.endpoint() + "/bucket/backups/backupstore/volumes/v/volume.cfg");
        assertThat(open("s3://bucket@us-east-1/", env).objectUrl("a/b")).isEqualTo(server.endpoint() + "/bucket/a/b");

        Map<String, String> aws = new HashMap<>(Map.of("AWS_REGION", "ap-south-1"));
        assertThat(open("s3://bucket@eu-west-1/backups/", aws).objectUrl("a"))
                .isEqualTo("https://bucket.s3.eu-west-1.amazonaws.com/backups/a");
        assertThat(open("s3://bucket/backups/", aws).objectUrl("a")).isEqualTo("https://bucket.s3.ap-south-1.amazonaws.com/backups/a");

        Map<String, String> virtual = new HashMap<>(Map.of("AWS_ENDPOINTS", "https://s3.example.com", "VIRTUAL_HOSTED_STYLE", "true"));
        assertThat(open("s3://bucket@us-east-1/x/", virtual).objectUrl("a")).isEqualTo("https://bucket.s3.example.com/x/a");
    }

    @Test
    void keysLiveBelowTheUrlsPath() throws IOException {
        String bucket = server.newBucket();
        try {
            S3Target nested = opened(server.open(bucket, "cluster-a/strata/"));
            nested.write("backupstore/volumes/v/volume.cfg", DATA);
            S3Target whole = opened(server.open(bucket, ""));
            assertThat(whole.list("")).containsExactly("cluster-a");
            assertThat(whole.list("cluster-a/strata/backupstore/volumes")).containsExactly("v");
            assertThat(whole.read("cluster-a/strata/backupstore/volumes/v/volume.cfg")).hasValue(DATA);
            assertThat(nested.list("")).containsExactly("backupstore");
        } finally {
            server.dropBucket(bucket);
        }
    }

    @Test
    void listingAndDeletingPageThroughMoreThanAThousandKeys() throws Exception {
        String bucket = server.newBucket();
        try {
            S3Target target = opened(server.open(bucket, "backups/"));
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < S3Target.DELETE_BATCH + 150; i++) {
                String name = "%04x.blk".formatted(i);
                expected.add(name);
                server.putDirectly(bucket, "backups/v/blocks/" + name, new byte[0]);
            }
            for (int i = 0; i < 5; i++) {
                expected.add("sub" + i);
                target.write("v/blocks/sub" + i + "/x.blk", DATA);
            }
            target.write("v/volume.cfg", DATA);
            target.write("w/volume.cfg", DATA);
            expected.sort(null);

            assertThat(target.list("v/blocks")).containsExactlyElementsOf(expected);
            target.deleteAll("v");
            assertThat(target.list("v")).isEmpty();
            assertThat(target.list("")).containsExactly("w");
        } finally {
            server.dropBucket(bucket);
        }
    }

    @Test
    void aWrongSecretFailsClearlyWithoutShowingIt() {
        String bucket = server.newBucket();
        Map<String, String> env = server.env();
        env.put("AWS_SECRET_ACCESS_KEY", "not-the-secret-at-all");
        S3Target target = open("s3://" + bucket + "@us-east-1/backups/", env);
        assertThatThrownBy(() -> target.write("backupstore/volumes/v/volume.cfg", DATA))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("cannot write backupstore/volumes/v/volume.cfg to s3://" + bucket + "@us-east-1/backups/: ")
                .hasMessageContaining("check AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY")
                .message().doesNotContain("not-the-secret-at-all").doesNotContain(S3TestServer.SECRET_KEY);
        Throwable failure = catchThrowable(() -> target.write("a", DATA));
        for (Throwable t = failure; t != null; t = t.getCause()) {
            assertThat(t.toString()).as("nor in any cause").doesNotContain("not-the-secret-at-all");
        }
        assertThat(target.toString()).doesNotContain("not-the-secret-at-all");
        assertThatThrownBy(() -> target.read("backupstore/volumes/v/volume.cfg"))
                .as("a refusal is not absence").isInstanceOf(IOException.class).hasMessageContaining("check AWS_ACCESS_KEY_ID");
        assertThatThrownBy(() -> target.modified("backupstore/volumes/v/volume.cfg"))
                .as("a HEAD refusal has no error code, still a refusal").isInstanceOf(IOException.class)
                .hasMessageContaining("(HTTP 403): check AWS_ACCESS_KEY_ID");

        Map<String, String> anonymous = new HashMap<>(Map.of("AWS_ENDPOINTS", server.endpoint()));
        assertThatThrownBy(() -> open("s3://" + bucket + "@us-east-1/backups/", anonymous).list(""))
                .isInstanceOf(IOException.class).hasMessageContaining("no credentials were given");
        server.dropBucket(bucket);
    }

    @Test
    void aMissingBucketIsAFailureNotAnEmptyAnswer() {
        S3Target target = opened(server.open("no-such-bucket", "backups/"));
        for (ThrowingCallable call : List.<ThrowingCallable>of(() -> target.read("a/b"), () -> target.modified("a/b"),
                () -> target.list("a"), () -> target.write("a/b", DATA))) {
            assertThatThrownBy(call).isInstanceOf(IOException.class)
                    .hasMessageContaining("s3://no-such-bucket@us-east-1/backups/")
                    .hasMessageContaining("bucket 'no-such-bucket' does not exist; check the bucket name");
        }
    }

    @Test
    void aStoppedServerFailsEveryOperationQuicklyAndARestartedOneServesTheSameObjects() throws Exception {
        try (S3TestServer own = S3TestServer.start()) {
            S3Target target = opened(own.open(own.newBucket(), "backups/"));
            target.write("v/volume.cfg", DATA);
            own.stop();
            assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
                for (ThrowingCallable call : List.<ThrowingCallable>of(() -> target.read("v/volume.cfg"),
                        () -> target.write("v/other.cfg", DATA), () -> target.list("v"), () -> target.modified("v/volume.cfg"),
                        () -> target.delete("v/volume.cfg"), () -> target.deleteAll("v"))) {
                    assertThatThrownBy(call).isInstanceOf(IOException.class)
                            .hasMessageMatching("cannot .* v.* (from|to|in) " + target.url().replace(".", "\\.") + ": .+")
                            .hasMessageContaining("Connection refused");
                }
            });
            own.restart();
            assertThat(target.read("v/volume.cfg")).hasValue(DATA);
            assertThat(target.list("v")).containsExactly("volume.cfg");
        }
    }

    @Test
    void aSelfSignedEndpointIsTrustedOnlyWithItsCertificateInAwsCert(@TempDir Path dir) throws Exception {
        SelfSignedCertificate certificate = SelfSignedCertificate.create(dir);
        try (S3TestServer tls = S3TestServer.startTls(certificate.keyStore(), certificate.password())) {
            String bucket = tls.newBucket();
            Map<String, String> env = tls.env();
            env.put("AWS_ENDPOINTS", tls.secureEndpoint());
            String url = "s3://" + bucket + "@us-east-1/backups/";

            assertThatThrownBy(() -> open(url, env).write("a", DATA)).isInstanceOf(IOException.class)
                    .hasMessageContaining("give it (PEM) in AWS_CERT");

            env.put("AWS_CERT", certificate.pem());
            S3Target target = open(url, env);
            target.write("a", DATA);
            assertThat(target.read("a")).hasValue(DATA);
        }
    }

    @Test
    void theProxyVariablesRouteRequestsAndNoProxyExemptsHosts() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort(); // nothing listens there once closed: a proxy that is down
        }
        String bucket = server.newBucket();
        Map<String, String> env = server.env();
        env.put("HTTP_PROXY", "http://127.0.0.1:" + closed);
        String url = "s3://" + bucket + "@us-east-1/backups/";
        assertThatThrownBy(() -> open(url, env).write("a", DATA)).isInstanceOf(IOException.class)
                .hasMessageContaining(":" + closed).hasMessageContaining("Connection refused");

        env.put("NO_PROXY", "localhost,127.0.0.1");
        S3Target direct = open(url, env);
        direct.write("a", DATA);
        assertThat(direct.read("a")).hasValue(DATA);
        server.dropBucket(bucket);
    }

    @Test
    void theTargetsTextIsItsUrl() {
        Map<String, String> env = server.env();
        S3Target target = open("s3://bucket@us-east-1/backups/", env);
        assertThat(target).hasToString("s3://bucket@us-east-1/backups/");
        assertThat(target.url()).isEqualTo("s3://bucket@us-east-1/backups/");
    }
}
