package io.strata.backupstore.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.domain.StrataException;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrustedCertificatesTest {
    private static X509Certificate first;
    private static X509Certificate second;

    /** Two real certificates to encode: authorities the JDK ships. */
    @BeforeAll
    static void certificates() throws Exception {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init((KeyStore) null);
        X509Certificate[] authorities = ((X509TrustManager) factory.getTrustManagers()[0]).getAcceptedIssuers();
        Arrays.sort(authorities, (a, b) -> a.getSubjectX500Principal().getName().compareTo(b.getSubjectX500Principal().getName()));
        first = authorities[0];
        second = authorities[1];
    }

    static String pem(X509Certificate certificate) throws Exception {
        return "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(certificate.getEncoded())
                + "\n-----END CERTIFICATE-----\n";
    }

    @Test
    void aBundleOfPemCertificatesIsReadWhateverSurroundsThem() throws Exception {
        String bundle = "# the lab's authority\r\n" + pem(first).replace("\n", "\r\n") + "\nsubject=whatever\n" + pem(second)
                + "-----BEGIN PRIVATE KEY-----\nMIIEvQ==\n-----END PRIVATE KEY-----\n";
        assertThat(TrustedCertificates.parse(bundle)).containsExactly(first, second);
    }

    @Test
    void textWithoutACertificateIsRefusedClearly() {
        assertThatThrownBy(() -> TrustedCertificates.parse("/etc/ssl/certs/minio.crt"))
                .isExactlyInstanceOf(StrataException.InvalidArgument.class)
                .hasMessage("AWS_CERT is not PEM certificate text: it holds no certificate between -----BEGIN CERTIFICATE-----"
                        + " and -----END CERTIFICATE-----; give the endpoint's certificate (or its authority's) as PEM");
    }

    @Test
    void aDamagedCertificateIsRefusedNamingWhichOne() throws Exception {
        String damaged = pem(first) + pem(second).replaceFirst("(?s)(CERTIFICATE-----\n.{20}).{40}", "$1");
        assertThatThrownBy(() -> TrustedCertificates.parse(damaged))
                .isExactlyInstanceOf(StrataException.InvalidArgument.class)
                .hasMessageStartingWith("AWS_CERT is not PEM certificate text: certificate 2 in it cannot be read");
        assertThatThrownBy(() -> TrustedCertificates.parse("-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----"))
                .isExactlyInstanceOf(StrataException.InvalidArgument.class)
                .hasMessageStartingWith("AWS_CERT is not PEM certificate text: certificate 1 in it cannot be read");
    }

    @Test
    void theGivenCertificatesAreTrustedBesidesTheJdksAuthorities(@TempDir Path dir) throws Exception {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init((KeyStore) null);
        X509TrustManager jdk = (X509TrustManager) factory.getTrustManagers()[0];
        X509Certificate selfSigned = TrustedCertificates.parse(SelfSignedCertificate.create(dir).pem()).getFirst();
        X509Certificate[] chain = {selfSigned};
        assertThatThrownBy(() -> jdk.checkServerTrusted(chain, "ECDHE_ECDSA")).isInstanceOf(CertificateException.class);

        X509TrustManager both = (X509TrustManager) TrustedCertificates.trustManagers(List.of(selfSigned))[0];
        both.checkServerTrusted(chain, "ECDHE_ECDSA");
        assertThat(both.getAcceptedIssuers()).contains(jdk.getAcceptedIssuers()).contains(selfSigned);
    }
}
