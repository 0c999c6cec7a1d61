package io.strata.backupstore.target;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.domain.StrataException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Mounting NFS targets: the commands tried in turn, and a mount point already in the mount table used as it is. */
class NfsMountTest {
    @TempDir
    Path tmp;

    private final List<List<String>> ran = new ArrayList<>();

    private NfsMount mount(int failures, Path mountInfo) {
        return new NfsMount(command -> {
            ran.add(command);
            return ran.size() <= failures ? new NfsMount.Result(32, "mount.nfs4: Protocol not supported") : new NfsMount.Result(0, "");
        }, mountInfo);
    }

    @Test
    void triesNfs42Then41Then40AndReturnsTheMountPoint() throws IOException {
        TargetUrl.Nfs url = (TargetUrl.Nfs) TargetUrl.parse("nfs://nfs.example.com:/exports/backups");
        Path point = mount(1, tmp.resolve("none")).ensureMounted(url, tmp.resolve("mounts"));
        assertThat(point).isEqualTo(tmp.resolve("mounts/nfs_example_com/exports/backups")).isDirectory();
        assertThat(ran).containsExactly(
                List.of("mount", "-t", "nfs4", "-o", "nfsvers=4.2,actimeo=1,soft,timeo=300,retry=2", "nfs.example.com:/exports/backups", point.toString()),
                List.of("mount", "-t", "nfs4", "-o", "nfsvers=4.1,actimeo=1,soft,timeo=300,retry=2", "nfs.example.com:/exports/backups", point.toString()));
    }

    @Test
    void aMountPointInTheMountTableIsUsedAsItIs() throws IOException {
        TargetUrl.Nfs url = (TargetUrl.Nfs) TargetUrl.parse("nfs://10.0.0.5:/srv/nfs?nfsOptions=hard,timeo=600");
        Path point = url.mountPoint(tmp.resolve("mounts dir"));
        Path mountInfo = Files.writeString(tmp.resolve("mountinfo"),
                "22 1 0:21 / /proc rw,nosuid - proc proc rw\n"
                        + "97 22 0:52 / " + point.toString().replace(" ", "\\040") + " rw,relatime - nfs4 10.0.0.5:/srv/nfs rw,vers=4.2\n");
        assertThat(mount(0, mountInfo).ensureMounted(url, tmp.resolve("mounts dir"))).isEqualTo(point);
        assertThat(ran).isEmpty();
    }

    @Test
    void whenNoVersionMountsTheErrorListsEachAttempt() {
        TargetUrl.Nfs url = (TargetUrl.Nfs) TargetUrl.parse("nfs://nfs:/b?nfsOptions=soft");
        assertThatThrownBy(() -> mount(3, tmp.resolve("none")).ensureMounted(url, tmp.resolve("m")))
                .isExactlyInstanceOf(StrataException.Unavailable.class)
                .hasMessageStartingWith("cannot mount NFS backup target nfs://nfs:/b?nfsOptions=soft at " + tmp.resolve("m/nfs/b"))
                .hasMessageContaining("nfsvers=4.2,soft").hasMessageContaining("nfsvers=4.0,soft")
                .hasMessageContaining("Protocol not supported");
        assertThat(ran).hasSize(3);
    }

    @Test
    void theSystemRunnerReportsStatusAndOutput() throws IOException {
        NfsMount.Result result = NfsMount.SYSTEM.run(List.of("sh", "-c", "echo no such export >&2; exit 32"));
        assertThat(result).isEqualTo(new NfsMount.Result(32, "no such export"));
    }
}
