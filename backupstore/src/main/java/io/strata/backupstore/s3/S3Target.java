package io.strata.backupstore.s3;

import io.strata.backupstore.target.BackupTarget;
import io.strata.backupstore.target.Keys;
import io.strata.backupstore.target.TargetUrl;
import io.strata.domain.StrataException;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.GetUrlRequest;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Error;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A {@link BackupTarget} in an S3 bucket (AWS or any S3-compatible server), opened from
 * {@code s3://bucket@region/path/} and Longhorn's environment variables:
 *
 * <ul>
 *   <li>{@code AWS_ACCESS_KEY_ID}, {@code AWS_SECRET_ACCESS_KEY}, optional {@code AWS_SESSION_TOKEN}.
 *       Without them requests are anonymous: the SDK's default chain is not consulted, because off EC2
 *       its instance-metadata lookup costs seconds; IAM roles (IRSA, instance profiles) are therefore
 *       not supported.</li>
 *   <li>The region from the URL, else {@code AWS_REGION}, else {@code us-east-1}.</li>
 *   <li>{@code AWS_ENDPOINTS}: an S3-compatible server's URL, addressed path-style unless
 *       {@code VIRTUAL_HOSTED_STYLE=true}.</li>
 *   <li>{@code AWS_CERT}: PEM certificates trusted besides the JDK's authorities.</li>
 *   <li>{@code HTTPS_PROXY} / {@code HTTP_PROXY} (by the endpoint's scheme) and {@code NO_PROXY}.</li>
 * </ul>
 *
 * <p>Keys are stored under the URL's path. A PUT replaces an object whole, so writes are all or
 * nothing. Throttling, 5xx and connection errors are retried with backoff; what still fails becomes an
 * {@link IOException} that names the target, the operation, the key and the cause. Safe for concurrent
 * use: one pooled HTTP/1.1 client serves every thread.
 */
public final class S3Target implements BackupTarget {
    /** The most keys one DeleteObjects request may name. */
    static final int DELETE_BATCH = 1000;

    private final S3Settings settings;
    private final S3Client s3;
    private final String root;
    private final AtomicBoolean bucketSeen = new AtomicBoolean();

    private S3Target(S3Settings settings, S3Client s3) {
        this.settings = settings;
        this.s3 = s3;
        this.root = settings.prefix().isEmpty() ? "" : settings.prefix() + "/";
    }

    /**
     * Opens the target; nothing is sent until the first operation, so a server that is down fails
     * then, not here.
     *
     * @param env the process environment in production
     * @throws io.strata.domain.StrataException.InvalidArgument when a variable is malformed
     */
    public static S3Target open(TargetUrl.S3 url, Map<String, String> env) {
        return open(url, env, Tuning.PRODUCTION);
    }

    static S3Target open(TargetUrl.S3 url, Map<String, String> env, Tuning tuning) {
        S3Settings settings = S3Settings.from(url, env);
        return new S3Target(settings, S3Clients.build(settings, tuning));
    }

    @Override
    public String url() {
        return settings.url();
    }

    /** The object key in the bucket: the URL's path, then the backupstore key. */
    String objectKey(String key) {
        return root + Keys.check(key);
    }

    /** Where the SDK sends requests for {@code key}: shows the endpoint and addressing style in use. */
    String objectUrl(String key) {
        return s3.utilities().getUrl(GetUrlRequest.builder().bucket(settings.bucket()).key(objectKey(key)).build()).toString();
    }

    /**
     * Reads an object of at most {@code maxBytes}: one larger by its Content-Length is refused before
     * its body is read (the connection is aborted, not drained), and a body that runs past the bound
     * anyway (no or a false length) is cut off at {@code maxBytes + 1} bytes and refused.
     */
    @Override
    public Optional<byte[]> read(String key, long maxBytes) throws IOException {
        String object = objectKey(key);
        try (ResponseInputStream<GetObjectResponse> in = s3.getObject(b -> b.bucket(settings.bucket()).key(object))) {
            bucketSeen.set(true);
            Long length = in.response().contentLength();
            if (length != null && length > maxBytes) {
                in.abort();
                throw tooLarge(key, length + " bytes", maxBytes);
            }
            byte[] data = in.readNBytes((int) Math.min(maxBytes + 1, Integer.MAX_VALUE - 8)); // the JVM's largest array
            if (data.length > maxBytes) {
                in.abort();
                throw tooLarge(key, "more than " + maxBytes + " bytes", maxBytes);
            }
            return Optional.of(data);
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (SdkException e) {
            throw failure("read " + key + " from", e);
        } catch (IOException e) { // the body broke off
            throw new IOException("cannot read " + key + " from " + url() + ": " + e.getMessage(), e);
        }
    }

    private StrataException tooLarge(String key, String size, long maxBytes) {
        return new StrataException.Corrupt(key + " in backup target " + url() + " holds " + size + ", more than the " + maxBytes
                + " an object of its kind may hold: it is damaged or was not written by Longhorn or Strata");
    }

    @Override
    public void write(String key, byte[] data) throws IOException {
        String object = objectKey(key);
        // the block buffer is sent as it is, not copied: the caller does not touch it until we return
        RequestBody body = RequestBody.fromContentProvider(ContentStreamProvider.fromByteArrayUnsafe(data), data.length,
                "application/octet-stream");
        try {
            s3.putObject(b -> b.bucket(settings.bucket()).key(object), body);
            bucketSeen.set(true);
        } catch (SdkException e) {
            throw failure("write " + key + " to", e);
        }
    }

    @Override
    public List<String> list(String prefix) throws IOException {
        String dir = prefix.isEmpty() ? root : objectKey(prefix) + "/";
        TreeSet<String> names = new TreeSet<>();
        try {
            for (ListObjectsV2Response page : s3.listObjectsV2Paginator(b -> b.bucket(settings.bucket()).prefix(dir).delimiter("/"))) {
                for (S3Object object : page.contents()) {
                    addName(names, dir, object.key());
                }
                page.commonPrefixes().forEach(p -> addName(names, dir, p.prefix()));
            }
            bucketSeen.set(true);
        } catch (SdkException e) {
            throw failure("list " + (prefix.isEmpty() ? "the top level" : prefix) + " in", e);
        }
        return new ArrayList<>(names);
    }

    /** The name one level below {@code dir}; a "directory marker" object named {@code dir} itself is no name. */
    private static void addName(TreeSet<String> names, String dir, String key) {
        String name = key.substring(dir.length());
        if (name.endsWith("/")) {
            name = name.substring(0, name.length() - 1);
        }
        if (!name.isEmpty() && name.indexOf('/') < 0) {
            names.add(name);
        }
    }

    @Override
    public Optional<Instant> modified(String key) throws IOException {
        String object = objectKey(key);
        String what = "read the modification time of " + key + " in";
        try {
            Instant modified = s3.headObject(b -> b.bucket(settings.bucket()).key(object)).lastModified();
            bucketSeen.set(true);
            return Optional.of(modified);
        } catch (S3Exception e) {
            if (e.statusCode() != 404) {
                throw failure(what, e);
            }
        } catch (SdkException e) {
            throw failure(what, e);
        }
        // a HEAD answer has no body: a missing bucket looks like a missing object, so tell them apart once
        checkBucket(what);
        return Optional.empty();
    }

    private void checkBucket(String what) throws IOException {
        if (bucketSeen.get()) {
            return;
        }
        try {
            s3.headBucket(b -> b.bucket(settings.bucket()));
            bucketSeen.set(true);
        } catch (NoSuchBucketException e) {
            throw failure(what, e);
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                throw new IOException("cannot " + what + " " + url() + ": bucket '" + settings.bucket()
                        + "' does not exist; check the bucket name in the target URL"
                        + (settings.endpoint().isPresent() ? " and the server in AWS_ENDPOINTS" : ""), e);
            }
            throw failure(what, e);
        } catch (SdkException e) {
            throw failure(what, e);
        }
    }

    @Override
    public void delete(String key) throws IOException {
        String object = objectKey(key);
        try {
            s3.deleteObject(b -> b.bucket(settings.bucket()).key(object));
        } catch (NoSuchKeyException e) {
            // S3 answers 204 for a missing key; some compatible servers answer 404: both are fine
        } catch (SdkException e) {
            throw failure("delete " + key + " from", e);
        }
    }

    /** Lists every object below {@code prefix} page by page and deletes each page in one request. */
    @Override
    public void deleteAll(String prefix) throws IOException {
        String object = objectKey(prefix);
        String what = "delete everything under " + prefix + " in";
        List<ObjectIdentifier> batch = new ArrayList<>();
        batch.add(ObjectIdentifier.builder().key(object).build()); // as a directory's deleteAll removes a file of that name
        try {
            for (ListObjectsV2Response page : s3.listObjectsV2Paginator(b -> b.bucket(settings.bucket()).prefix(object + "/"))) {
                for (S3Object o : page.contents()) {
                    batch.add(ObjectIdentifier.builder().key(o.key()).build());
                    if (batch.size() == DELETE_BATCH) {
                        deleteBatch(batch, what);
                        batch.clear();
                    }
                }
            }
            if (!batch.isEmpty()) {
                deleteBatch(batch, what);
            }
        } catch (SdkException e) {
            throw failure(what, e);
        }
    }

    private void deleteBatch(List<ObjectIdentifier> batch, String what) throws IOException {
        List<ObjectIdentifier> keys = List.copyOf(batch);
        DeleteObjectsResponse response = s3.deleteObjects(b -> b.bucket(settings.bucket()).delete(d -> d.objects(keys).quiet(true)));
        List<S3Error> errors = response.errors().stream().filter(e -> !"NoSuchKey".equals(e.code())).toList();
        if (!errors.isEmpty()) {
            S3Error first = errors.getFirst();
            throw new IOException("cannot " + what + " " + url() + ": " + errors.size() + " of " + keys.size()
                    + " objects could not be deleted, first " + first.key() + ": " + first.code() + " " + first.message());
        }
    }

    private IOException failure(String what, SdkException e) {
        return new IOException("cannot " + what + " " + url() + ": " + S3Failures.describe(e, settings), e);
    }

    /** Closes the client and its connection pool. */
    @Override
    public void close() {
        s3.close();
    }

    @Override
    public String toString() {
        return url();
    }
}
