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
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A raw block volume end to end: staged without a filesystem, its device bound at the target path,
 * written and read back with O_DIRECT, and the same bytes found in a volume cloned from its snapshot.
 */
class NodeBlockTest {

    @TempDir
    Path tmp;

    @RegisterExtension
    final HostLeftovers leftovers = new HostLeftovers(() -> tmp);

    @Test
    void aBlockVolumeIsItsDeviceAndItsBytesSurviveASnapshot() throws Exception {
        NodeTools.requireStaging();
        VolumeCapability capability = NodeFixture.block();
        byte[] data = new byte[8 * (int) MiB];
        new Random(7).nextBytes(data);
        Path source = tmp.resolve("data.bin");
        Files.write(source, data);
        try (NodeFixture strata = new NodeFixture(tmp)) {
            strata.createVolume("pvc-b", 32 * MiB, capability);
            Path device = strata.use("pvc-b", "pod-1", capability);
            assertThat(Sh.ok("stat", "-c", "%F", device.toString()).strip()).isEqualTo("block special file");
            assertThat(Sh.ok("blockdev", "--getsize64", device.toString()).strip()).isEqualTo(Long.toString(32 * MiB));
            assertThat(Sh.run("blkid", "-p", device.toString()).exit()).as("no filesystem was made").isEqualTo(2);

            Sh.ok("dd", "if=" + source, "of=" + device, "bs=1M", "seek=4", "oflag=direct", "conv=notrunc,fsync", "status=none");
            Path back = tmp.resolve("back.bin");
            Sh.ok("dd", "if=" + device, "of=" + back, "bs=1M", "skip=4", "count=8", "iflag=direct", "status=none");
            assertThat(Files.readAllBytes(back)).isEqualTo(data);
            Sh.ok("dd", "if=" + device, "of=" + back, "bs=1M", "skip=31", "count=1", "iflag=direct", "status=none");
            assertThat(Files.readAllBytes(back)).as("never written: zeroes").containsOnly((byte) 0);
            Sh.Result past = Sh.run("dd", "if=" + source, "of=" + device, "bs=1M", "seek=32", "count=1", "oflag=direct",
                    "conv=notrunc", "status=none");
            assertThat(past.exit()).as("the device ends where the volume does").isNotZero();
            assertThat(past.out()).contains("No space left on device");

            NodeGetVolumeStatsResponse stats = strata.node().nodeGetVolumeStats(NodeGetVolumeStatsRequest.newBuilder()
                    .setVolumeId("pvc-b").setVolumePath(device.toString()).build());
            assertThat(stats.getUsageList()).singleElement().satisfies(u -> {
                assertThat(u.getUnit()).isEqualTo(VolumeUsage.Unit.BYTES);
                assertThat(u.getTotal()).isEqualTo(32 * MiB);
            });
            assertThat(stats.getVolumeCondition().getAbnormal()).isFalse();

            strata.release("pvc-b", "pod-1");
            assertThat(device).doesNotExist();
            assertThat(HostLeftovers.under(tmp)).isEmpty();

            strata.createVolumeFrom("pvc-b2", strata.snapshot("snap-b", "pvc-b", "ss"), capability);
            Path clone = strata.use("pvc-b2", "pod-2", capability);
            Sh.ok("dd", "if=" + clone, "of=" + back, "bs=1M", "count=32", "iflag=direct", "status=none");
            byte[] cloned = Files.readAllBytes(back);
            assertThat(Arrays.copyOfRange(cloned, 4 * (int) MiB, 12 * (int) MiB)).isEqualTo(data);
            assertThat(Arrays.copyOfRange(cloned, 0, 4 * (int) MiB)).containsOnly((byte) 0);
            strata.release("pvc-b2", "pod-2");
            assertThat(HostLeftovers.under(tmp)).isEmpty();
        }
    }
}
