package io.strata.backupstore.s3;

import io.strata.backupstore.target.TargetUrl;
import io.strata.domain.Redaction;
import io.strata.domain.StrataException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Where an S3 target connects and how, read from its URL and Longhorn's environment variables. Pure:
 * nothing here touches the network, so every rule is tested on its own.
 *
 * @param endpoint     {@code AWS_ENDPOINTS}; empty: AWS itself, found from the region
 * @param pathStyle    {@code http://host/bucket/key} rather than {@code http://bucket.host/key}
 * @param credentials  empty: anonymous requests
 * @param certificates trusted besides the JDK's authorities ({@code AWS_CERT})
 */
record S3Settings(String url, String bucket, String prefix, String region, Optional<URI> endpoint, boolean pathStyle,
                  Optional<Credentials> credentials, Optional<Proxy> proxy, List<X509Certificate> certificates) {

    static final String DEFAULT_REGION = "us-east-1";
    private static final Pattern REGION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._\\-]{0,63}");

    /** Static keys; the secret never appears in {@link #toString()}. */
    record Credentials(String accessKeyId, String secretAccessKey, Optional<String> sessionToken) {
        @Override
        public String toString() {
            return "Credentials[accessKeyId=" + accessKeyId + ", secret and token hidden]";
        }
    }

    /**
     * An HTTP proxy; its password never appears in {@link #toString()}.
     *
     * @param endpoint      scheme, host and port only
     * @param nonProxyHosts regular expressions of host names reached directly ({@code NO_PROXY})
     */
    record Proxy(URI endpoint, Optional<String> username, Optional<String> password, Set<String> nonProxyHosts) {
        @Override
        public String toString() {
            return "Proxy[" + endpoint + (username.isPresent() ? ", with credentials" : "") + ", direct=" + nonProxyHosts + "]";
        }
    }

    static S3Settings from(TargetUrl.S3 url, Map<String, String> env) {
        String region = !url.region().isEmpty() ? url.region() : value(env, "AWS_REGION").orElse(DEFAULT_REGION);
        if (!REGION.matcher(region).matches()) {
            throw invalid(url, "'" + region + "' is not a region name: give one like us-east-1, in the URL (s3://bucket@region/path/) or AWS_REGION");
        }
        Optional<URI> endpoint = value(env, "AWS_ENDPOINTS").map(e -> endpoint(url, e));
        boolean virtualHosted = value(env, "VIRTUAL_HOSTED_STYLE").map(v -> v.equalsIgnoreCase("true")).orElse(false);
        // Longhorn addresses its own endpoints path-style: most S3-compatible servers have no wildcard DNS for buckets
        boolean pathStyle = endpoint.isPresent() && !virtualHosted;
        boolean https = endpoint.map(e -> e.getScheme().equals("https")).orElse(true);
        List<X509Certificate> certificates = value(env, "AWS_CERT").map(TrustedCertificates::parse).orElse(List.of());
        return new S3Settings(url.url(), url.bucket(), url.prefix(), region, endpoint, pathStyle, credentials(url, env),
                proxy(url, env, https), certificates);
    }

    private static URI endpoint(TargetUrl.S3 url, String value) {
        String trimmed = value.replaceAll("/+$", "");
        try {
            URI uri = new URI(trimmed);
            if (uri.getRawUserInfo() != null) {
                // the value is a secret now: never repeated, even redacted, and never sent anywhere
                throw invalid(url, "AWS_ENDPOINTS holds credentials (user:password@): give them in AWS_ACCESS_KEY_ID and"
                        + " AWS_SECRET_ACCESS_KEY, and only the server's URL in AWS_ENDPOINTS, like https://minio.example.com:9000");
            }
            if (uri.getScheme() != null && (uri.getScheme().equals("http") || uri.getScheme().equals("https"))
                    && uri.getHost() != null) {
                return uri;
            }
        } catch (URISyntaxException e) {
            // reported below, with what a good value looks like
        }
        throw invalid(url, "AWS_ENDPOINTS '" + Redaction.url(value) + "' is not an http(s) URL like https://minio.example.com:9000");
    }

    private static Optional<Credentials> credentials(TargetUrl.S3 url, Map<String, String> env) {
        Optional<String> id = value(env, "AWS_ACCESS_KEY_ID");
        Optional<String> secret = value(env, "AWS_SECRET_ACCESS_KEY");
        if (id.isPresent() != secret.isPresent()) {
            throw invalid(url, (id.isPresent() ? "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not"
                    : "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not") + ": give both, or neither for anonymous access");
        }
        return id.map(i -> new Credentials(i, secret.orElseThrow(), value(env, "AWS_SESSION_TOKEN")));
    }

    /** The proxy for the endpoint's scheme, as curl and Go choose it. */
    private static Optional<Proxy> proxy(TargetUrl.S3 url, Map<String, String> env, boolean https) {
        String variable = https ? "HTTPS_PROXY" : "HTTP_PROXY";
        Optional<String> value = proxyValue(env, variable);
        if (value.isEmpty()) {
            return Optional.empty();
        }
        String given = value.get().contains("://") ? value.get() : "http://" + value.get();
        URI uri;
        try {
            uri = new URI(given);
        } catch (URISyntaxException e) {
            uri = null;
        }
        if (uri == null || uri.getHost() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
            // the value may hold a password: it is not repeated
            throw invalid(url, variable + " is not a proxy URL like http://proxy.example.com:3128");
        }
        int port = uri.getPort() > 0 ? uri.getPort() : uri.getScheme().equals("https") ? 443 : 80;
        Optional<String> username = Optional.empty();
        Optional<String> password = Optional.empty();
        String userInfo = uri.getRawUserInfo();
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            username = Optional.of(decode(colon < 0 ? userInfo : userInfo.substring(0, colon)));
            password = colon < 0 ? Optional.empty() : Optional.of(decode(userInfo.substring(colon + 1)));
        }
        URI endpoint = URI.create(uri.getScheme() + "://" + uri.getHost() + ":" + port);
        return Optional.of(new Proxy(endpoint, username, password, nonProxyHosts(proxyValue(env, "NO_PROXY").orElse(""))));
    }

    /**
     * {@code NO_PROXY} entries as the HTTP client's patterns (regular expressions of host names):
     * {@code example.com}, {@code .example.com} and {@code *.example.com} all match the domain and its
     * subdomains, {@code *} matches every host; ports are ignored. CIDR ranges are not understood.
     */
    static Set<String> nonProxyHosts(String noProxy) {
        Set<String> patterns = new LinkedHashSet<>();
        for (String entry : noProxy.split(",")) {
            String host = entry.trim().toLowerCase(Locale.ROOT);
            if (host.startsWith("[")) {
                host = host.substring(1, Math.max(1, host.indexOf(']'))); // [::1]:8080
            } else if (host.indexOf(':') == host.lastIndexOf(':') && host.indexOf(':') > 0) {
                host = host.substring(0, host.indexOf(':')); // host:port, not an IPv6 address
            }
            if (host.equals("*")) {
                patterns.add(".*");
                continue;
            }
            host = host.replaceFirst("^\\*", "").replaceFirst("^\\.", "");
            if (!host.isEmpty()) {
                patterns.add("(.*\\.)?" + Pattern.quote(host));
            }
        }
        return Set.copyOf(patterns);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** A variable's value, trimmed; unset and empty are the same (Kubernetes secrets often hold empty keys). */
    static Optional<String> value(Map<String, String> env, String name) {
        String v = env.get(name);
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.trim());
    }

    /** Proxy variables are often spelled in lower case too (curl, wget); the upper case one wins here. */
    static Optional<String> proxyValue(Map<String, String> env, String name) {
        return value(env, name).or(() -> value(env, name.toLowerCase(Locale.ROOT)));
    }

    private static StrataException invalid(TargetUrl.S3 url, String why) {
        return new StrataException.InvalidArgument("cannot open backup target " + url.url() + ": " + why);
    }
}
