package io.strata.server.node;

import static io.strata.server.node.NodeFixture.MiB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.strata.csi.node.HostLeftovers;
import io.strata.csi.node.NodeTools;
import io.strata.csi.v1.CapacityRange;
import io.strata.csi.v1.ControllerExpandVolumeRequest;
import io.strata.csi.v1.NodeExpandVolumeRequest;
import io.strata.csi.v1.NodeUnpublishVolumeRequest;
import io.strata.csi.v1.VolumeCapability;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Expansion of a staged volume: ControllerExpandVolume, then NodeExpandVolume while the volume is
 * staged and mounted; the device and filesystem grow, the new room takes data, the old data is
 * intact. The node is attached through nbdfuse, whose file cannot change size: the growable export
 * and the loop device's size limit are what make this work.
 */
class NodeExpansionTest {

    @TempDir
    Path tmp;

    @RegisterExtension
    final HostLeftovers leftovers = new HostLeftovers(() -> tmp);

    /** Whether this process may grow a mounted ext4 (the kernel wants CAP_SYS_RESOURCE). */
    private static boolean mayResizeMountedExt4() throws Exception {
        String effective = Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("CapEff:"))
                .findFirst().orElseThrow().substring(7).strip();
        return (Long.parseUnsignedLong(effective, 16) & (1L << 24)) != 0;
    }

    private static long dfSize(Path path) {
        return Long.parseLong(Sh.ok("df", "--block-size=1", "--output=size", path.toString()).lines().skip(1).findFirst()
                .orElseThrow().strip());
    }

    private static void expand(NodeFixture strata, String volume, long size, VolumeCapability capability) {
        assertThat(strata.csi.controller().controllerExpandVolume(ControllerExpandVolumeRequest.newBuilder().setVolumeId(volume)
                .setCapacityRange(CapacityRange.newBuilder().setRequiredBytes(size)).setVolumeCapability(capability).build())
                .getNodeExpansionRequired()).isTrue();
    }

    private static NodeExpandVolumeRequest nodeExpand(String volume, Path path, long size, VolumeCapability capability) {
        return NodeExpandVolumeRequest.newBuilder().setVolumeId(volume).setVolumePath(path.toString())
                .setCapacityRange(CapacityRange.newBuilder().setRequiredBytes(size)).setVolumeCapability(capability).build();
    }

    @Test
    void xfsGrowsWhilePublished() throws Exception {
        NodeTools.requireStaging();
        NodeTools.requireXfs();
        VolumeCapability capability = NodeFixture.mount("xfs");
        try (NodeFixture strata = new NodeFixture(tmp)) {
            strata.createVolume("pvc-x", 320 * MiB, capability);
            Path target = strata.use("pvc-x", "pod-1", capability);
            String before = NodeFixture.writeSynced(target.resolve("before.bin"), 3 * (int) MiB, 1);
            long small = dfSize(target);

            expand(strata, "pvc-x", 640 * MiB, capability);
            assertThat(strata.node().nodeExpandVolume(nodeExpand("pvc-x", target, 640 * MiB, capability)).getCapacityBytes())
                    .isEqualTo(640 * MiB);
            assertThat(dfSize(target)).as("df sees the new size").isGreaterThan(small + 300 * MiB);
            String big = NodeFixture.writeSynced(target.resolve("big.bin"), 400 * (int) MiB, 2);
            assertThat(NodeFixture.sha256(target.resolve("before.bin"))).isEqualTo(before);
            assertThat(NodeFixture.sha256(target.resolve("big.bin"))).isEqualTo(big);
            assertThat(strata.node().nodeExpandVolume(nodeExpand("pvc-x", target, 640 * MiB, capability)).getCapacityBytes())
                    .as("again: nothing to do").isEqualTo(640 * MiB);
            strata.release("pvc-x", "pod-1");
            assertThat(HostLeftovers.under(tmp)).isEmpty();
        }
    }

    @Test
    void ext4GrowsWhileStaged() throws Exception {
        NodeTools.requireStaging();
        VolumeCapability capability = NodeFixture.mount("ext4");
        try (NodeFixture strata = new NodeFixture(tmp)) {
            strata.createVolume("pvc-e", 64 * MiB, capability);
            Path target = strata.use("pvc-e", "pod-1", capability);
            String before = NodeFixture.writeSynced(target.resolve("before.bin"), 5 * (int) MiB, 1);
            long small = dfSize(target);
            expand(strata, "pvc-e", 192 * MiB, capability);
            NodeExpandVolumeRequest online = nodeExpand("pvc-e", target, 192 * MiB, capability);
            if (mayResizeMountedExt4()) {
                assertThat(strata.node().nodeExpandVolume(online).getCapacityBytes()).isEqualTo(192 * MiB);
            } else {
                // the kernel grows a mounted ext4 only for CAP_SYS_RESOURCE: in use, it cannot grow here
                assertThatThrownBy(() -> strata.node().nodeExpandVolume(online)).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
                    assertThat(e.getStatus().getDescription()).contains("CAP_SYS_RESOURCE").contains(target.toString());
                });
                assertThat(Files.readAllBytes(target.resolve("before.bin"))).as("still mounted, still there").hasSize(5 * (int) MiB);
                // the CO's offline expansion: staged, not published
                strata.node().nodeUnpublishVolume(NodeUnpublishVolumeRequest.newBuilder().setVolumeId("pvc-e")
                        .setTargetPath(target.toString()).build());
                assertThat(strata.node().nodeExpandVolume(nodeExpand("pvc-e", strata.staging("pvc-e"), 192 * MiB, capability))
                        .getCapacityBytes()).isEqualTo(192 * MiB);
                strata.node().nodePublishVolume(strata.publishRequest("pvc-e", "pod-1", capability, false));
            }
            assertThat(dfSize(target)).as("df sees the new size").isGreaterThan(small + 100 * MiB);
            assertThat(Sh.ok("blockdev", "--getsize64", Sh.ok("findmnt", "-n", "-o", "SOURCE", target.toString()).strip()).strip())
                    .isEqualTo(Long.toString(192 * MiB));
            String big = NodeFixture.writeSynced(target.resolve("big.bin"), 100 * (int) MiB, 2);
            assertThat(NodeFixture.sha256(target.resolve("before.bin"))).isEqualTo(before);
            assertThat(NodeFixture.sha256(target.resolve("big.bin"))).isEqualTo(big);
            strata.release("pvc-e", "pod-1");
            assertThat(HostLeftovers.under(tmp)).isEmpty();

            Path again = strata.use("pvc-e", "pod-2", capability);
            assertThat(NodeFixture.sha256(again.resolve("big.bin"))).as("after staging again").isEqualTo(big);
            strata.release("pvc-e", "pod-2");
        }
    }

    @Test
    void aBlockVolumeGrowsItsDevice() throws Exception {
        NodeTools.requireStaging();
        VolumeCapability capability = NodeFixture.block();
        try (NodeFixture strata = new NodeFixture(tmp)) {
            strata.createVolume("pvc-b", 16 * MiB, capability);
            Path device = strata.use("pvc-b", "pod-1", capability);
            expand(strata, "pvc-b", 48 * MiB, capability);
            assertThat(strata.node().nodeExpandVolume(nodeExpand("pvc-b", device, 48 * MiB, capability)).getCapacityBytes())
                    .isEqualTo(48 * MiB);
            assertThat(Sh.ok("blockdev", "--getsize64", device.toString()).strip()).isEqualTo(Long.toString(48 * MiB));
            Path ones = tmp.resolve("ones.bin");
            Files.write(ones, new byte[(int) MiB]);
            Sh.ok("dd", "if=" + ones, "of=" + device, "bs=1M", "seek=40", "oflag=direct", "conv=notrunc,fsync", "status=none");
            assertThatThrownBy(() -> strata.node().nodeExpandVolume(nodeExpand("pvc-b", device, 64 * MiB, capability)))
                    .as("the volume is not that large yet").isInstanceOfSatisfying(StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.OUT_OF_RANGE));
            strata.release("pvc-b", "pod-1");
            assertThat(HostLeftovers.under(tmp)).isEmpty();
        }
    }
}
