package io.strata.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.domain.StrataException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialsFileTest {
    @TempDir
    Path tmp;

    @Test
    void anEnvFileTakesCommentsExportsAndQuotes() throws IOException {
        Path file = Files.writeString(tmp.resolve("creds.env"), """
                # the cluster's S3
                AWS_ACCESS_KEY_ID=AKIA123
                export AWS_SECRET_ACCESS_KEY="s3cr=t with spaces"

                AWS_ENDPOINTS='http://127.0.0.1:9000'
                VIRTUAL_HOSTED_STYLE=
                """);
        assertThat(CredentialsFile.read(file)).isEqualTo(Map.of("AWS_ACCESS_KEY_ID", "AKIA123",
                "AWS_SECRET_ACCESS_KEY", "s3cr=t with spaces", "AWS_ENDPOINTS", "http://127.0.0.1:9000", "VIRTUAL_HOSTED_STYLE", ""));
    }

    @Test
    void aMountedSecretIsAFilePerVariable() throws IOException {
        Path secret = Files.createDirectories(tmp.resolve("secret"));
        Files.writeString(secret.resolve("AWS_ACCESS_KEY_ID"), "AKIA123\n");
        Files.writeString(secret.resolve("AWS_SECRET_ACCESS_KEY"), "line1\nline2");
        Path data = Files.createDirectories(secret.resolve("..2026_11_22"));
        Files.writeString(data.resolve("AWS_ACCESS_KEY_ID"), "hidden");
        Files.createSymbolicLink(secret.resolve("..data"), data);
        assertThat(CredentialsFile.read(secret)).isEqualTo(Map.of("AWS_ACCESS_KEY_ID", "AKIA123", "AWS_SECRET_ACCESS_KEY", "line1\nline2"));
    }

    @Test
    void aBadLineIsNamedByItsNumberWithoutItsContent() throws IOException {
        Path file = Files.writeString(tmp.resolve("creds.env"), "AWS_ACCESS_KEY_ID=a\nhunter2 is the password\n");
        assertThatThrownBy(() -> CredentialsFile.read(file)).isExactlyInstanceOf(StrataException.InvalidArgument.class)
                .hasMessageContaining("line 2").hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> CredentialsFile.read(tmp.resolve("missing"))).isExactlyInstanceOf(StrataException.NotFound.class)
                .hasMessageContaining("do not exist");
        Path secret = Files.createDirectories(tmp.resolve("bad-secret"));
        Files.writeString(secret.resolve("not-a-name"), "x");
        assertThatThrownBy(() -> CredentialsFile.read(secret)).isExactlyInstanceOf(StrataException.InvalidArgument.class)
                .hasMessageContaining("'not-a-name' is not a variable name");
    }
}
