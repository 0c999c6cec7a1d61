package io.strata.backupstore.s3;

import io.strata.backupstore.target.TargetUrl;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * A real S3 server (S3Proxy, objects in memory) on 127.0.0.1 for tests, with credentials. It can be
 * stopped and started again on the same port with the same objects, as an outage would look to a
 * client. {@link #shared()} is one server for the whole test run; {@link #start()} one of a test's own.
 */
public final class S3TestServer implements AutoCloseable {
    public static final String ACCESS_KEY = "strata-test-key";
    public static final String SECRET_KEY = "strata-test-secret-do-not-print";
    public static final String REGION = "us-east-1";

    /** Few attempts and short waits, so that a server that is down fails a test in well under a second. */
    static final Tuning FAST = new Tuning(2, Duration.ofMillis(10), Duration.ofMillis(10), Duration.ofMillis(50),
            Duration.ofSeconds(2), Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(30), 16);

    private static final AtomicInteger BUCKETS = new AtomicInteger();
    private static S3TestServer shared;

    private final BlobStore store = new TransientNio2BlobStore();
    private final Path keyStore;
    private final String keyStorePassword;
    private S3Proxy proxy;
    private int port;
    private int securePort;

    private S3TestServer(Path keyStore, String keyStorePassword) {
        this.keyStore = keyStore;
        this.keyStorePassword = keyStorePassword;
    }

    /** The server every test class shares; started on first use, ended with the test JVM. */
    public static synchronized S3TestServer shared() {
        if (shared == null) {
            shared = start();
        }
        return shared;
    }

    /** A server of the caller's own, plain HTTP. */
    public static S3TestServer start() {
        S3TestServer server = new S3TestServer(null, null);
        server.listen(0, 0);
        return server;
    }

    /** A server that also serves HTTPS with the key and certificate in a PKCS#12 key store. */
    static S3TestServer startTls(Path keyStore, String password) {
        S3TestServer server = new S3TestServer(keyStore, password);
        server.listen(0, 0);
        return server;
    }

    private void listen(int httpPort, int httpsPort) {
        S3Proxy.Builder builder = S3Proxy.builder()
                .blobStore(store)
                .endpoint(URI.create("http://127.0.0.1:" + httpPort))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .stopTimeout(0); // no graceful shutdown: an outage does not wait for connections to finish
        if (keyStore != null) {
            builder.secureEndpoint(URI.create("https://127.0.0.1:" + httpsPort)).keyStore(keyStore.toString(), keyStorePassword);
        }
        S3Proxy started = builder.build();
        try {
            started.start();
        } catch (Exception e) {
            throw new IllegalStateException("the test S3 server did not start", e);
        }
        proxy = started;
        port = started.getPort();
        securePort = keyStore != null ? started.getSecurePort() : -1;
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    String secureEndpoint() {
        return "https://127.0.0.1:" + securePort;
    }

    /** Longhorn's variables for this server: its endpoint and the test credentials. */
    public Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put("AWS_ACCESS_KEY_ID", ACCESS_KEY);
        env.put("AWS_SECRET_ACCESS_KEY", SECRET_KEY);
        env.put("AWS_ENDPOINTS", endpoint());
        return env;
    }

    /** Creates a bucket of a name not used before. */
    public String newBucket() {
        String bucket = "strata-test-" + BUCKETS.incrementAndGet();
        store.createContainer(bucket);
        return bucket;
    }

    /** Stores an object straight into the server's store, bypassing HTTP: quick setup for large listings. */
    void putDirectly(String bucket, String key, byte[] data) {
        store.putBlob(PutObjectRequest.builder().bucket(bucket).key(key).contentLength((long) data.length).build(),
                new ByteArrayInputStream(data));
    }

    /** Deletes a bucket and every object in it. */
    public void dropBucket(String bucket) {
        store.deleteContainer(bucket);
    }

    public static TargetUrl.S3 url(String bucket, String prefix) {
        return (TargetUrl.S3) TargetUrl.parse("s3://" + bucket + "@" + REGION + "/" + prefix);
    }

    /** A target in a new bucket, below {@code backups/}, that gives up quickly when the server is down. */
    public S3Target newTarget() {
        return open(newBucket(), "backups/");
    }

    /** A target for {@code bucket} and {@code prefix} that gives up quickly when the server is down. */
    public S3Target open(String bucket, String prefix) {
        return S3Target.open(url(bucket, prefix), env(), FAST);
    }

    /** Closes a target from {@link #newTarget()} and drops its bucket, so that memory stays small. */
    public void release(S3Target target) {
        target.close();
        dropBucket(((TargetUrl.S3) TargetUrl.parse(target.url())).bucket());
    }

    /** Stops serving: connections are refused from now on, the objects stay. */
    public synchronized void stop() {
        try {
            proxy.stop();
        } catch (Exception e) {
            throw new IllegalStateException("the test S3 server did not stop", e);
        }
    }

    /** Serves again on the same port, with the objects it had. */
    public synchronized void restart() {
        listen(port, Math.max(securePort, 0));
    }

    @Override
    public void close() {
        stop();
    }
}
