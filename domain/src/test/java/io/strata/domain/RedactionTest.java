package io.strata.domain;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RedactionTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            user and password             | http://user:secretpw@127.0.0.1:9000          | http://user:***@127.0.0.1:9000
            https with a path             | https://AKIA:se%2Fcret@minio.example.com/x   | https://AKIA:***@minio.example.com/x
            a token as the user           | https://ghp_secrettoken@example.com/repo     | https://***@example.com/repo
            an empty password             | http://user:@host                            | http://user:***@host
            no credentials                | http://127.0.0.1:9000/bucket                 | http://127.0.0.1:9000/bucket
            an s3 region is no credential | s3://bucket@us-east-1/backups/               | s3://bucket@us-east-1/backups/
            an s3 user and password       | s3://key:secretpw@bucket/path                | s3://key:***@bucket/path
            an @ in the path stays        | file:///var/backups/a@b                      | file:///var/backups/a@b
            an @ in the query stays       | http://host/x?email=a@b                      | http://host/x?email=a@b
            an nfs target                 | nfs://server:/export/path                    | nfs://server:/export/path
            """)
    void hidesCredentialsInUrls(String name, String url, String expected) {
        assertThat(Redaction.url(url)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            quoted in a message    | AWS_ENDPOINTS 'http://u:secretpw@h:1' is not valid                | AWS_ENDPOINTS 'http://u:***@h:1' is not valid
            two URLs               | Connect to http://a:secretpw@h failed, then https://b:secretpw@i  | Connect to http://a:***@h failed, then https://b:***@i
            an e-mail address stays | write to ops@example.com                                         | write to ops@example.com
            """)
    void hidesCredentialsOfEveryUrlInText(String name, String text, String expected) {
        assertThat(Redaction.text(text)).isEqualTo(expected).doesNotContain("secretpw");
    }

    @org.junit.jupiter.api.Test
    void nullStaysNull() {
        assertThat(Redaction.url(null)).isNull();
        assertThat(Redaction.text(null)).isNull();
    }
}
