package io.strata.backupstore.s3;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed certificate for 127.0.0.1, made by the JDK's keytool (the tool that owns the job): a
 * PKCS#12 key store for the server and the certificate as PEM for {@code AWS_CERT}. Made per test run,
 * so no private key is kept in the repository.
 */
record SelfSignedCertificate(Path keyStore, String password, String pem) {

    static SelfSignedCertificate create(Path dir) throws IOException, InterruptedException {
        Path keyStore = dir.resolve("s3-test.p12");
        String password = "strata-test";
        run(List.of("-genkeypair", "-alias", "s3", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=127.0.0.1",
                "-ext", "SAN=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12", "-keystore", keyStore.toString(),
                "-storepass", password, "-keypass", password));
        String pem = run(List.of("-exportcert", "-rfc", "-alias", "s3", "-keystore", keyStore.toString(), "-storepass", password));
        return new SelfSignedCertificate(keyStore, password, pem);
    }

    private static String run(List<String> args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(args);
        Process keytool = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!keytool.waitFor(60, TimeUnit.SECONDS) || keytool.exitValue() != 0) {
            throw new IOException("keytool " + args.getFirst() + " failed: " + output);
        }
        return output;
    }
}
