package io.strata.backupstore.s3;

import io.strata.domain.StrataException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * Certificates from {@code AWS_CERT} (PEM text, as a Longhorn secret holds it), trusted besides the
 * JDK's own authorities: a self-signed or privately issued endpoint certificate then verifies, and AWS
 * itself still does.
 */
final class TrustedCertificates {
    private static final Pattern PEM = Pattern.compile("-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----", Pattern.DOTALL);

    private TrustedCertificates() {}

    /** Every certificate in {@code pem}; other blocks (a private key pasted along) are ignored. */
    static List<X509Certificate> parse(String pem) {
        List<X509Certificate> certificates = new ArrayList<>();
        CertificateFactory factory;
        try {
            factory = CertificateFactory.getInstance("X.509");
        } catch (CertificateException e) {
            throw new IllegalStateException("this JDK has no X.509 support", e);
        }
        Matcher block = PEM.matcher(pem);
        while (block.find()) {
            int n = certificates.size() + 1;
            try {
                byte[] der = Base64.getMimeDecoder().decode(block.group(1).strip());
                certificates.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
            } catch (IllegalArgumentException | CertificateException e) {
                throw invalid("certificate " + n + " in it cannot be read (" + e.getMessage() + ")");
            }
        }
        if (certificates.isEmpty()) {
            throw invalid("it holds no certificate between -----BEGIN CERTIFICATE----- and -----END CERTIFICATE-----");
        }
        return List.copyOf(certificates);
    }

    /** Trust managers that accept the JDK's default authorities and {@code extra}. */
    static TrustManager[] trustManagers(List<X509Certificate> extra) {
        try {
            TrustManagerFactory defaults = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            defaults.init((KeyStore) null);
            KeyStore anchors = KeyStore.getInstance(KeyStore.getDefaultType());
            anchors.load(null, null);
            int n = 0;
            for (TrustManager manager : defaults.getTrustManagers()) {
                if (manager instanceof X509TrustManager x509) {
                    for (X509Certificate authority : x509.getAcceptedIssuers()) {
                        anchors.setCertificateEntry("jdk-" + n++, authority);
                    }
                }
            }
            for (X509Certificate certificate : extra) {
                anchors.setCertificateEntry("aws-cert-" + n++, certificate);
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(anchors);
            return factory.getTrustManagers();
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build the trust store from the JDK's authorities and AWS_CERT", e);
        }
    }

    private static StrataException invalid(String why) {
        return new StrataException.InvalidArgument("AWS_CERT is not PEM certificate text: " + why
                + "; give the endpoint's certificate (or its authority's) as PEM");
    }
}
