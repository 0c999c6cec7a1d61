package io.strata.server.node;

import static io.strata.server.node.NodeFixture.MiB;
import static org.assertj.core.api.Assertions.assertThat;

import io.strata.csi.node.HostLeftovers;
import io.strata.csi.node.NodeTools;
import io.strata.csi.v1.NodeGetVolumeStatsRequest;
import io.strata.csi.v1.NodeGetVolumeStatsResponse;
import io.strata.csi.v1.VolumeCapability;
import io.strata.csi.v1.VolumeUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A filesystem volume end to end through the CSI socket, with the real kernel: staged (a filesystem
 * made on first use) and published, files written and fsynced, unpublished and unstaged; then an
 * in-cluster snapshot and a backup of it, a volume made from each, staged, and the same files found
 * with the same checksums. Nothing is left on the machine afterwards.
 */
class NodeFilesystemTest {

    @TempDir
    Path tmp;

    @RegisterExtension
    final HostLeftovers leftovers = new HostLeftovers(() -> tmp);

    @ParameterizedTest(name = "{0}")
    @CsvSource({"ext4, 64", "xfs, 320"}) // mkfs.xfs wants at least 300 MB
    void filesSurviveUnstagingASnapshotAndABackup(String fsType, int sizeMiB) throws Exception {
        NodeTools.requireStaging();
        if (fsType.equals("xfs")) {
            NodeTools.requireXfs();
        }
        VolumeCapability capability = NodeFixture.mount(fsType, "noatime");
        try (NodeFixture strata = new NodeFixture(tmp)) {
            strata.createVolume("pvc-a", sizeMiB * MiB, capability);
            Path target = strata.use("pvc-a", "pod-1", capability);

            Map<String, String> files = new LinkedHashMap<>();
            Files.createDirectories(target.resolve("data"));
            files.put("data/one.bin", NodeFixture.writeSynced(target.resolve("data/one.bin"), (int) MiB, 1));
            files.put("data/five.bin", NodeFixture.writeSynced(target.resolve("data/five.bin"), 5 * (int) MiB + 17, 2));
            files.put("small.txt", NodeFixture.writeSynced(target.resolve("small.txt"), 100, 3));

            String staging = strata.staging("pvc-a").toString();
            assertThat(Sh.ok("findmnt", "-n", "-o", "FSTYPE,OPTIONS", staging)).startsWith(fsType).contains("noatime");
            String loop = Sh.ok("findmnt", "-n", "-o", "SOURCE", staging).strip();
            assertThat(Sh.ok("losetup", "--list", "--noheadings", "--output", "DIO,SIZELIMIT,BACK-FILE", loop).strip())
                    .as("direct I/O, limited to the volume, over nbdfuse's file")
                    .matches("1\\s+" + sizeMiB * MiB + "\\s+" + tmp.toRealPath() + "/data/node/pvc-a/fuse/volume");
            assertThat(Sh.ok("findmnt", "-n", "-o", "SOURCE", target.toString()).strip()).as("the target is the staged filesystem")
                    .startsWith(loop);

            NodeGetVolumeStatsResponse stats = strata.node().nodeGetVolumeStats(NodeGetVolumeStatsRequest.newBuilder()
                    .setVolumeId("pvc-a").setVolumePath(target.toString()).build());
            VolumeUsage bytes = stats.getUsageList().stream().filter(u -> u.getUnit() == VolumeUsage.Unit.BYTES).findFirst().orElseThrow();
            VolumeUsage inodes = stats.getUsageList().stream().filter(u -> u.getUnit() == VolumeUsage.Unit.INODES).findFirst().orElseThrow();
            assertThat(bytes.getUsed()).isGreaterThanOrEqualTo(6 * MiB);
            assertThat(bytes.getTotal()).isBetween(sizeMiB * MiB / 2, sizeMiB * MiB);
            assertThat(bytes.getAvailable()).isLessThan(bytes.getTotal() - 6 * MiB);
            assertThat(inodes.getUsed()).isGreaterThanOrEqualTo(4);
            assertThat(inodes.getTotal()).isGreaterThan(inodes.getUsed());
            assertThat(stats.getVolumeCondition().getAbnormal()).as(stats.getVolumeCondition().getMessage()).isFalse();

            strata.release("pvc-a", "pod-1");
            assertThat(HostLeftovers.under(tmp)).as("unstaging leaves nothing").isEmpty();
            assertThat(target).doesNotExist();

            String inCluster = strata.snapshot("snap-ss", "pvc-a", "ss");
            String backup = strata.snapshot("snap-bak", "pvc-a", "bak");
            assertThat(inCluster).startsWith("ss://pvc-a/");
            assertThat(backup).startsWith("bak://pvc-a/");
            for (Map.Entry<String, String> source : Map.of("pvc-from-ss", inCluster, "pvc-from-bak", backup).entrySet()) {
                String volume = source.getKey();
                strata.createVolumeFrom(volume, source.getValue(), capability);
                Path restored = strata.use(volume, "pod-2", capability);
                for (Map.Entry<String, String> file : files.entrySet()) {
                    assertThat(NodeFixture.sha256(restored.resolve(file.getKey()))).as("%s in %s", file.getKey(), volume)
                            .isEqualTo(file.getValue());
                }
                assertThat(Sh.ok("findmnt", "-n", "-o", "FSTYPE", strata.staging(volume).toString()).strip())
                        .as("the filesystem it was made with, not a new one").isEqualTo(fsType);
                strata.release(volume, "pod-2");
            }
            assertThat(HostLeftovers.under(tmp)).isEmpty();
        }
    }
}
