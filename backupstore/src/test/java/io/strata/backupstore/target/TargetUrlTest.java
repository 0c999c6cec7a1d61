package io.strata.backupstore.target;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.domain.StrataException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TargetUrlTest {

    @Test
    void directoriesInBothSpellings() {
        assertThat(TargetUrl.parse("file:///var/lib/strata/backups")).isEqualTo(
                new TargetUrl.Directory("file:///var/lib/strata/backups", Path.of("/var/lib/strata/backups")));
        assertThat(TargetUrl.parse("vfs:///mnt/b/")).isInstanceOf(TargetUrl.Directory.class)
                .extracting(t -> ((TargetUrl.Directory) t).path()).isEqualTo(Path.of("/mnt/b"));
    }

    @Test
    void nfsMountsAsLonghornDoes() {
        TargetUrl.Nfs nfs = (TargetUrl.Nfs) TargetUrl.parse("nfs://longhorn-test-nfs-svc.default:/opt/backupstore");
        assertThat(nfs.server()).isEqualTo("longhorn-test-nfs-svc.default");
        assertThat(nfs.export()).isEqualTo("/opt/backupstore");
        Path root = Path.of("/var/lib/strata/mounts");
        assertThat(nfs.mountPoint(root)).isEqualTo(Path.of("/var/lib/strata/mounts/longhorn-test-nfs-svc_default/opt/backupstore"));
        assertThat(nfs.mountCommands(root)).containsExactly(
                List.of("mount", "-t", "nfs4", "-o", "nfsvers=4.2,actimeo=1,soft,timeo=300,retry=2",
                        "longhorn-test-nfs-svc.default:/opt/backupstore", "/var/lib/strata/mounts/longhorn-test-nfs-svc_default/opt/backupstore"),
                List.of("mount", "-t", "nfs4", "-o", "nfsvers=4.1,actimeo=1,soft,timeo=300,retry=2",
                        "longhorn-test-nfs-svc.default:/opt/backupstore", "/var/lib/strata/mounts/longhorn-test-nfs-svc_default/opt/backupstore"),
                List.of("mount", "-t", "nfs4", "-o", "nfsvers=4.0,actimeo=1,soft,timeo=300,retry=2",
                        "longhorn-test-nfs-svc.default:/opt/backupstore", "/var/lib/strata/mounts/longhorn-test-nfs-svc_default/opt/backupstore"));
        TargetUrl.Nfs custom = (TargetUrl.Nfs) TargetUrl.parse("nfs://10.0.0.5:/exports/b?nfsOptions=hard,timeo=600");
        assertThat(custom.options()).isEqualTo("hard,timeo=600");
    }

    @Test
    void s3WithAndWithoutRegion() {
        assertThat(TargetUrl.parse("s3://backupbucket@us-east-1/backupstore/"))
                .isEqualTo(new TargetUrl.S3("s3://backupbucket@us-east-1/backupstore/", "backupbucket", "us-east-1", "backupstore"));
        assertThat(TargetUrl.parse("s3://backupbucket/")).isEqualTo(new TargetUrl.S3("s3://backupbucket/", "backupbucket", "", ""));
    }

    @ParameterizedTest(name = "[{0}]")
    @CsvSource(delimiter = '|', value = {
            "''|it is empty",
            "/just/a/path|it has no scheme",
            "ftp://host/x|the scheme 'ftp' is not one of file, vfs, nfs, s3",
            "file://relative/path|a directory target needs an absolute path",
            "nfs://server/export|an NFS target looks like nfs://server:/export/path",
            "nfs://server:/e?nfsOptions=rw;reboot|nfsOptions may hold only",
            "s3://bucket|an S3 target needs a path after the bucket",
            "s3://Bad_Bucket@r/p|'Bad_Bucket' is not an S3 bucket name",
    })
    void badUrlsSayWhatIsWrong(String url, String why) {
        assertThatThrownBy(() -> TargetUrl.parse(url)).isExactlyInstanceOf(StrataException.InvalidArgument.class)
                .hasMessageContaining(why).hasMessageStartingWith("invalid backup target '");
    }

    @ParameterizedTest(name = "[{0}]")
    @CsvSource(delimiter = '|', value = {
            "s3://user:secretpw@bucket/x/|holds no credentials",
            "http://user:secretpw@host/|the scheme 'http' is not one of",
            "nfs://user:secretpw@server:/export|characters an NFS target cannot have",
            "file://user:secretpw@/x|a directory target needs an absolute path",
    })
    void credentialsInATargetUrlAreNeverQuotedBack(String url, String why) {
        assertThatThrownBy(() -> TargetUrl.parse(url)).isExactlyInstanceOf(StrataException.InvalidArgument.class)
                .hasMessageContaining(why).message().doesNotContain("secretpw");
    }
}
