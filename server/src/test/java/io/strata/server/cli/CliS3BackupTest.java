package io.strata.server.cli;

import static io.strata.server.cli.CliVolumeTest.imageWithHoles;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.backupstore.s3.S3TestServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code strata backup} against an S3 server on 127.0.0.1, configured through Longhorn's environment variables. */
class CliS3BackupTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MiB = 1 << 20;

    @TempDir
    Path tmp;

    @Test
    void backUpToS3AndRestoreByteForByte() throws IOException {
        S3TestServer s3 = S3TestServer.shared();
        String bucket = s3.newBucket();
        Map<String, String> env = new HashMap<>(s3.env());
        env.put(StrataCli.DATA_DIR_ENV, tmp.resolve("data").toString());
        env.put(Services.LOCK_SETTLE_ENV, "0");
        String target = "s3://" + bucket + "@" + S3TestServer.REGION + "/cluster-a/";

        byte[] image = imageWithHoles(6 * MiB, 41);
        Cli.run(env, "volume", "create", "db", "--size", "6Mi").ok();
        Cli.run(env, "volume", "import", "db", Files.write(tmp.resolve("db.img"), image).toString()).ok();
        JsonNode made = JSON.readTree(Cli.run(env, "backup", "create", "db", "--target", target, "--json").ok());
        String handle = made.get("handle").asText();
        assertThat(made.get("url").asText()).startsWith(target + "?backup=");

        assertThat(Cli.run(env, "backup", "ls", "--target", target).ok()).contains("db ");
        assertThat(Cli.run(env, "backup", "verify", handle, "--target", target).ok()).contains("is whole");
        Cli.run(env, "backup", "restore", made.get("url").asText(), "db-restored").ok();
        Cli.run(env, "volume", "export", "db-restored", tmp.resolve("out.img").toString()).ok();
        assertThat(Files.readAllBytes(tmp.resolve("out.img"))).isEqualTo(image);

        Cli.Result wrongSecret = Cli.run(withSecret(env, "wrong"), "backup", "ls", "--target", target);
        assertThat(wrongSecret.exitCode()).isNotZero();
        assertThat(wrongSecret.err()).startsWith("strata: ").doesNotContain("wrong").doesNotContain(S3TestServer.SECRET_KEY);
        assertThat(wrongSecret.err().lines()).as("one line, whatever the SDK logs").hasSize(1);

        Cli.run(env, "backup", "rm-volume", "db", "--target", target).ok();
        assertThat(Cli.run(env, "backup", "ls", "--target", target).ok()).startsWith("no backups in " + target);
    }

    @Test
    void credentialsComeFromAFileOrAMountedSecret() throws IOException {
        S3TestServer s3 = S3TestServer.shared();
        String bucket = s3.newBucket();
        String target = "s3://" + bucket + "@" + S3TestServer.REGION + "/from-file/";
        Map<String, String> env = new HashMap<>(); // nothing of S3 in the process environment
        env.put(StrataCli.DATA_DIR_ENV, tmp.resolve("data").toString());
        env.put(Services.LOCK_SETTLE_ENV, "0");
        Cli.run(env, "volume", "create", "db", "--size", "4Mi").ok();
        Cli.run(env, "volume", "import", "db", Files.write(tmp.resolve("db.img"), imageWithHoles(4 * MiB, 5)).toString()).ok();
        assertThat(Cli.run(env, "backup", "ls", "--target", target).exitCode()).as("no credentials, no endpoint").isNotZero();

        StringBuilder envFile = new StringBuilder("# S3 on loopback\n");
        s3.env().forEach((k, v) -> envFile.append("export ").append(k).append("=\"").append(v).append("\"\n"));
        Path file = Files.writeString(tmp.resolve("s3.env"), envFile);
        Cli.run(env, "backup", "create", "db", "--target", target, "--backup-credentials", file.toString()).ok();

        Path secret = Files.createDirectories(tmp.resolve("secret"));
        for (Map.Entry<String, String> e : s3.env().entrySet()) {
            Files.writeString(secret.resolve(e.getKey()), e.getValue() + "\n");
        }
        Map<String, String> withSecretDir = new HashMap<>(env);
        withSecretDir.put(CredentialsFile.ENV, secret.toString());
        assertThat(Cli.run(withSecretDir, "backup", "ls", "--target", target).ok()).contains("db ");
    }

    private static Map<String, String> withSecret(Map<String, String> env, String secret) {
        Map<String, String> out = new HashMap<>(env);
        out.put("AWS_SECRET_ACCESS_KEY", secret);
        return out;
    }
}
