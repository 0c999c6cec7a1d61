package io.strata.csi.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Reading the kernel's mount table. */
class MountsTest {

    @Test
    void aLineWithOptionalFieldsAndEscapedPaths() {
        Mounts.Mount mount = Mounts.parse("36 35 7:3 / /var/lib/kubelet/pods/a\\040b/vol rw,noatime shared:1 master:2 - ext4"
                + " /dev/loop3 rw,errors=continue").orElseThrow();
        assertThat(mount.mountPoint()).isEqualTo(Path.of("/var/lib/kubelet/pods/a b/vol"));
        assertThat(mount.device()).isEqualTo("7:3");
        assertThat(mount.root()).isEqualTo("/");
        assertThat(mount.fsType()).isEqualTo("ext4");
        assertThat(mount.source()).isEqualTo("/dev/loop3");
        assertThat(mount.options()).containsExactly("rw", "noatime");
        assertThat(mount.readOnly()).isFalse();
    }

    @Test
    void aBindOfADeviceNodeAndAFuseMount() {
        assertThat(Mounts.parse("40 30 0:5 /loop3 /tmp/t/target ro,nosuid - devtmpfs udev rw").orElseThrow())
                .satisfies(m -> {
                    assertThat(m.root()).isEqualTo("/loop3");
                    assertThat(m.readOnly()).isTrue();
                });
        assertThat(Mounts.parse("41 30 0:50 / /d/node/v/fuse rw,nosuid,nodev - fuse /dev/fuse rw,user_id=0").orElseThrow().fsType())
                .isEqualTo("fuse");
    }

    @Test
    void malformedLinesAreSkipped() {
        assertThat(Mounts.parse("")).isEmpty();
        assertThat(Mounts.parse("1 2 3:4 / /mnt rw no-dash ext4")).isEmpty();
        assertThat(Mounts.parse("1 2 3:4 / /mnt rw - ext4")).isEmpty();
    }

    @Test
    void escapesAreOctalAndOnlyOctal() {
        assertThat(Mounts.unescape("a\\011b\\012c\\134d")).isEqualTo("a\tb\nc\\d");
        assertThat(Mounts.unescape("a\\9xyz\\")).isEqualTo("a\\9xyz\\");
    }

    @Test
    void theRootIsMounted() throws Exception {
        assertThat(Mounts.at(Path.of("/"))).isPresent();
        assertThat(Mounts.at(Path.of("/no/such/mount/point"))).isEmpty();
        assertThat(Mounts.all()).extracting(Mounts.Mount::mountPoint).contains(Path.of("/proc"));
        assertThat(Mounts.under(Path.of("/proc"))).extracting(Mounts.Mount::fsType).contains("proc");
    }
}
