package io.strata.backupstore.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.backupstore.target.TargetUrl;
import io.strata.domain.StrataException;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class S3SettingsTest {
    private static final String SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

    private static S3Settings settings(String url, String... env) {
        Map<String, String> map = new HashMap<>();
        for (int i = 0; i < env.length; i += 2) {
            map.put(env[i], env[i + 1]);
        }
        return S3Settings.from((TargetUrl.S3) TargetUrl.parse(url), map);
    }

    @ParameterizedTest(name = "{0} with AWS_REGION=[{1}] → {2}")
    @CsvSource(nullValues = "-", value = {
            "s3://bucket@eu-west-1/backups/, us-west-2, eu-west-1",
            "s3://bucket@eu-west-1/backups/, -,         eu-west-1",
            "s3://bucket/backups/,           us-west-2, us-west-2",
            "s3://bucket/backups/,           '',        us-east-1",
            "s3://bucket/backups/,           -,         us-east-1",
            "s3://bucket@minio/,             -,         minio"})
    void theRegionComesFromTheUrlThenAwsRegionThenUsEast1(String url, String awsRegion, String expected) {
        S3Settings s = awsRegion == null ? settings(url) : settings(url, "AWS_REGION", awsRegion);
        assertThat(s.region()).isEqualTo(expected);
    }

    @Test
    void bucketAndPrefixComeFromTheUrl() {
        S3Settings s = settings("s3://backups@us-east-1/cluster-a/strata/");
        assertThat(s.bucket()).isEqualTo("backups");
        assertThat(s.prefix()).isEqualTo("cluster-a/strata");
        assertThat(settings("s3://backups@us-east-1/").prefix()).isEmpty();
    }

    @Test
    void anAwsEndpointIsAddressedVirtualHostedAndAnOtherEndpointPathStyle() {
        S3Settings aws = settings("s3://bucket@us-east-1/x/");
        assertThat(aws.endpoint()).isEmpty();
        assertThat(aws.pathStyle()).isFalse();

        S3Settings minio = settings("s3://bucket@us-east-1/x/", "AWS_ENDPOINTS", "https://minio.example.com:9000/");
        assertThat(minio.endpoint()).contains(URI.create("https://minio.example.com:9000"));
        assertThat(minio.pathStyle()).isTrue();

        S3Settings virtual = settings("s3://bucket@us-east-1/x/", "AWS_ENDPOINTS", "https://s3.example.com",
                "VIRTUAL_HOSTED_STYLE", "true");
        assertThat(virtual.pathStyle()).isFalse();
        assertThat(settings("s3://bucket@us-east-1/x/", "AWS_ENDPOINTS", "http://10.0.0.5:9000", "VIRTUAL_HOSTED_STYLE", "false")
                .pathStyle()).isTrue();
    }

    @ParameterizedTest(name = "AWS_ENDPOINTS=[{0}]")
    @ValueSource(strings = {"minio.example.com:9000", "ftp://minio.example.com", "https://", "http://key:secret@minio:9000", "http://exa mple"})
    void aMalformedEndpointIsRefusedSayingWhatOneLooksLike(String endpoint) {
        assertThatThrownBy(() -> settings("s3://bucket@us-east-1/x/", "AWS_ENDPOINTS", endpoint))
                .isExactlyInstanceOf(StrataException.InvalidArgument.class)
                .hasMessageContaining("AWS_ENDPOINTS")
                .hasMessageContaining("like https://minio.example.com:9000");
    }

    @ParameterizedTest(name = "AWS_ENDPOINTS=[{0}]")
    @ValueSource(strings = {"http://user:secretpw@127.0.0.1:9000", "https://secretpw@minio:9000", "ftp://user:secretpw@h"})
    void credentialsInTheEndpointAreRefusedAndNeverRepeated(String endpoint) {
        assertThatThrownBy(() -> settings("s3://bucket@us-east-1/x/", "AWS_ENDPOINTS", endpoint))
                .isExactlyInstanceOf(StrataException.InvalidArgument.class)
                .hasMessageContaining("AWS_ACCESS_KEY_ID")
                .message().doesNotContain("secretpw");
    }

    @Test
    void aMalformedRegionIsRefused() {
        assertThatThrownBy(() -> settings("s3://bucket/x/", "AWS_REGION", "eu west"))
                .isExactlyInstanceOf(StrataException.InvalidArgument.class).hasMessageContaining("is not a region name");
    }

    @Test
    void keysAreBothOrNeitherAndEmptyMeansUnset() {
        S3Settings keyed = settings("s3://bucket/x/", "AWS_ACCESS_KEY_ID", "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY", SECRET);
        assertThat(keyed.credentials()).hasValueSatisfying(c -> {
            assertThat(c.accessKeyId()).isEqualTo("AKIDEXAMPLE");
            assertThat(c.secretAccessKey()).isEqualTo(SECRET);
            assertThat(c.sessionToken()).isEmpty();
        });
        assertThat(settings("s3://bucket/x/", "AWS_ACCESS_KEY_ID", "AKID", "AWS_SECRET_ACCESS_KEY", SECRET,
                "AWS_SESSION_TOKEN", "token").credentials().orElseThrow().sessionToken()).contains("token");
        assertThat(settings("s3://bucket/x/").credentials()).as("anonymous").isEmpty();
        assertThat(settings("s3://bucket/x/", "AWS_ACCESS_KEY_ID", "", "AWS_SECRET_ACCESS_KEY", "").credentials()).isEmpty();

        assertThatThrownBy(() -> settings("s3://bucket/x/", "AWS_ACCESS_KEY_ID", "AKID"))
                .isExactlyInstanceOf(StrataException.InvalidArgument.class)
                .hasMessageContaining("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
        assertThatThrownBy(() -> settings("s3://bucket/x/", "AWS_SECRET_ACCESS_KEY", SECRET))
                .isExactlyInstanceOf(StrataException.InvalidArgument.class)
                .hasMessageContaining("AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not")
                .message().doesNotContain(SECRET);
    }

    @Test
    void secretsNeverAppearInTheSettingsText() {
        S3Settings s = settings("s3://bucket/x/", "AWS_ACCESS_KEY_ID", "AKID", "AWS_SECRET_ACCESS_KEY", SECRET,
                "AWS_SESSION_TOKEN", "session-token-value", "HTTPS_PROXY", "http://user:proxy-password@proxy:3128");
        assertThat(s.toString()).contains("AKID").doesNotContain(SECRET).doesNotContain("session-token-value")
                .doesNotContain("proxy-password");
    }

    @Test
    void theProxyFollowsTheEndpointsScheme() {
        String[] proxies = {"HTTP_PROXY", "http://plain-proxy:3128", "HTTPS_PROXY", "http://user:p%40ss@secure-proxy:8443"};
        S3Settings aws = settings("s3://bucket/x/", proxies);
        assertThat(aws.proxy()).hasValueSatisfying(p -> {
            assertThat(p.endpoint()).isEqualTo(URI.create("http://secure-proxy:8443"));
            assertThat(p.username()).contains("user");
            assertThat(p.password()).contains("p@ss");
        });
        String[] withHttpEndpoint = {proxies[0], proxies[1], proxies[2], proxies[3], "AWS_ENDPOINTS", "http://minio:9000"};
        assertThat(settings("s3://bucket/x/", withHttpEndpoint).proxy().map(S3Settings.Proxy::endpoint))
                .contains(URI.create("http://plain-proxy:3128"));
        assertThat(settings("s3://bucket/x/", "https_proxy", "proxy.internal:3128").proxy().map(S3Settings.Proxy::endpoint))
                .as("lower case, no scheme").contains(URI.create("http://proxy.internal:3128"));
        assertThat(settings("s3://bucket/x/", "HTTP_PROXY", "http://plain-proxy:3128").proxy()).as("no proxy for https").isEmpty();
        assertThatThrownBy(() -> settings("s3://bucket/x/", "HTTPS_PROXY", "http://user:secret-pw@"))
                .isExactlyInstanceOf(StrataException.InvalidArgument.class).hasMessageContaining("HTTPS_PROXY is not a proxy URL")
                .message().doesNotContain("secret-pw");
    }

    @ParameterizedTest(name = "NO_PROXY=[{0}] host {1} direct: {2}")
    @CsvSource({
            "'example.com',            example.com,        true",
            "'example.com',            s3.example.com,     true",
            "'.example.com',           s3.example.com,     true",
            "'*.example.com',          s3.example.com,     true",
            "'example.com',            badexample.com,     false",
            "'example.com',            example.com.evil,   false",
            "'localhost, 127.0.0.1',   127.0.0.1,          true",
            "'127.0.0.1:9000',         127.0.0.1,          true",
            "'[::1]:9000',             ::1,                true",
            "'*',                      anything.at.all,    true",
            "'10.0.0.0/8',             10.1.2.3,           false",
            "'',                       example.com,        false"})
    void noProxyEntriesMatchTheirDomainAndSubdomains(String noProxy, String host, boolean direct) {
        Set<String> patterns = S3Settings.nonProxyHosts(noProxy);
        assertThat(patterns.stream().anyMatch(host::matches)).isEqualTo(direct);
    }

    @Test
    void unsetAndBlankVariablesAreTheSame() {
        assertThat(S3Settings.value(Map.of("AWS_REGION", "  "), "AWS_REGION")).isEmpty();
        assertThat(S3Settings.value(Map.of("aws_region", "eu-west-1"), "AWS_REGION")).as("only proxies have two spellings").isEmpty();
        assertThat(S3Settings.proxyValue(Map.of("no_proxy", "minio"), "NO_PROXY")).isEqualTo(Optional.of("minio"));
        assertThat(S3Settings.value(Map.of("AWS_REGION", " eu-west-1 "), "AWS_REGION")).contains("eu-west-1");
    }
}
