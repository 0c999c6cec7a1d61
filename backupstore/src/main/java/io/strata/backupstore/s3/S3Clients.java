package io.strata.backupstore.s3;

import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.http.apache5.ProxyConfiguration;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.s3.LegacyMd5Plugin;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/** Builds the SDK client an {@link S3Target} uses, from its settings alone. */
final class S3Clients {
    private S3Clients() {}

    static S3Client build(S3Settings settings, Tuning tuning) {
        S3ClientBuilder builder = S3Client.builder()
                .region(Region.of(settings.region()))
                .credentialsProvider(credentials(settings))
                .httpClientBuilder(http(settings, tuning)) // built for, owned and closed by the client
                .overrideConfiguration(ClientOverrideConfiguration.builder()
                        .retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder()
                                .maxAttempts(tuning.maxAttempts())
                                .backoffStrategy(BackoffStrategy.exponentialDelay(tuning.baseDelay(), tuning.maxBackoff()))
                                .throttlingBackoffStrategy(BackoffStrategy.exponentialDelay(tuning.throttlingDelay(), tuning.maxBackoff()))
                                // the retry quota would fail a throttled backup at once; our workers are few and back off
                                .circuitBreakerEnabled(false)
                                .build())
                        .apiCallAttemptTimeout(tuning.attemptTimeout())
                        .build())
                .forcePathStyle(settings.pathStyle())
                // flexible checksums are refused by many S3-compatible servers, and blocks are
                // content-addressed and verified on restore anyway
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                // DeleteObjects must carry Content-MD5 on MinIO, Ceph and older servers, not just a CRC
                .addPlugin(LegacyMd5Plugin.create());
        settings.endpoint().ifPresent(builder::endpointOverride);
        return builder.build();
    }

    /**
     * Static keys from the environment, or none: the SDK's default chain would ask the EC2 instance
     * metadata service, which off EC2 costs seconds per client and a link-local request.
     */
    private static AwsCredentialsProvider credentials(S3Settings settings) {
        return settings.credentials().<AwsCredentialsProvider>map(c -> {
            AwsCredentials keys = c.sessionToken().isPresent()
                    ? AwsSessionCredentials.create(c.accessKeyId(), c.secretAccessKey(), c.sessionToken().get())
                    : AwsBasicCredentials.create(c.accessKeyId(), c.secretAccessKey());
            return StaticCredentialsProvider.create(keys);
        }).orElseGet(AnonymousCredentialsProvider::create);
    }

    private static Apache5HttpClient.Builder http(S3Settings settings, Tuning tuning) {
        // only the target's own environment decides the proxy, never the JVM's properties or process
        // environment behind its back (in tests those differ)
        ProxyConfiguration.Builder proxy = ProxyConfiguration.builder()
                .useSystemPropertyValues(false)
                .useEnvironmentVariableValues(false);
        settings.proxy().ifPresent(p -> {
            proxy.endpoint(p.endpoint()).nonProxyHosts(p.nonProxyHosts());
            p.username().ifPresent(proxy::username);
            p.password().ifPresent(proxy::password);
        });
        Apache5HttpClient.Builder http = Apache5HttpClient.builder()
                .maxConnections(tuning.maxConnections())
                .connectionTimeout(tuning.connectTimeout())
                .socketTimeout(tuning.socketTimeout())
                .connectionAcquisitionTimeout(tuning.acquireTimeout())
                .tcpKeepAlive(true)
                .proxyConfiguration(proxy.build());
        if (!settings.certificates().isEmpty()) {
            http.tlsTrustManagersProvider(() -> TrustedCertificates.trustManagers(settings.certificates()));
        }
        return http;
    }
}
