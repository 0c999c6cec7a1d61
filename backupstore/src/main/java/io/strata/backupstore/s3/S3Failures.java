package io.strata.backupstore.s3;

import java.net.UnknownHostException;
import java.security.cert.CertificateException;
import java.util.Set;
import javax.net.ssl.SSLException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Says why an S3 request failed, in words an operator can act on: the server's error code and
 * message, or the network error, and what to check. Never the credentials.
 */
final class S3Failures {
    private static final Set<String> CREDENTIALS = Set.of("AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch",
            "ExpiredToken", "InvalidToken", "TokenRefreshRequired", "AllAccessDisabled");
    private static final Set<String> REGION = Set.of("PermanentRedirect", "AuthorizationHeaderMalformed",
            "IllegalLocationConstraintException");

    private S3Failures() {}

    static String describe(SdkException e, S3Settings settings) {
        if (e instanceof AwsServiceException service) {
            return service(service, settings);
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ApiCallAttemptTimeoutException || t instanceof ApiCallTimeoutException) {
                return "no answer in time (" + t.getMessage() + ")";
            }
            if (t instanceof UnknownHostException) {
                return "unknown host " + t.getMessage() + ": check the endpoint" + (settings.endpoint().isPresent()
                        ? " in AWS_ENDPOINTS" : ", the region and DNS");
            }
            if (t instanceof SSLException || t instanceof CertificateException) {
                return root(t) + ": if the endpoint's certificate is self-signed or from a private authority, give it (PEM) in AWS_CERT";
            }
        }
        // the network's own words ("Connect to http://host:port failed: Connection refused") say it best
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t instanceof java.io.IOException && t.getMessage() != null) {
                return t.getMessage();
            }
        }
        return e.getMessage();
    }

    private static String service(AwsServiceException e, S3Settings settings) {
        String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
        String message = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorMessage();
        StringBuilder out = new StringBuilder();
        if (code != null) {
            out.append(code).append(": ");
        }
        out.append(message != null && !message.isBlank() ? message : "the server refused the request")
                .append(" (HTTP ").append(e.statusCode()).append(")");
        if ("NoSuchBucket".equals(code)) {
            out.append(": bucket '").append(settings.bucket()).append("' does not exist; check the bucket name in the target URL")
                    .append(settings.endpoint().isPresent() ? " and the server in AWS_ENDPOINTS" : "");
        } else if (e.statusCode() == 403 || (code != null && CREDENTIALS.contains(code))) {
            out.append(settings.credentials().isPresent()
                    ? ": check AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN) and that they may use bucket '"
                            + settings.bucket() + "'"
                    : ": no credentials were given; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
        } else if (e.statusCode() == 301 || (code != null && REGION.contains(code))) {
            out.append(": the bucket may be in another region than ").append(settings.region())
                    .append("; give its region in the URL (s3://bucket@region/path/) or AWS_REGION");
        }
        return out.toString();
    }

    private static String root(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getMessage() != null ? root.getMessage() : root.toString();
    }
}
