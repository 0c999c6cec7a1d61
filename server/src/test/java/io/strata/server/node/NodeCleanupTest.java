package io.strata.server.node;

import static io.strata.server.node.NodeFixture.MiB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.strata.csi.node.HostLeftovers;
import io.strata.csi.node.NodeTools;
import io.strata.csi.v1.NodePublishVolumeRequest;
import io.strata.csi.v1.VolumeCapability;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A failure at any step of staging, publishing or unstaging leaves nothing behind: no mount, no loop
 * device, no nbdfuse process, no record that would stand in the way; and the next try succeeds. The
 * failures are injected into the real programs' runs ({@link FaultyOs}), or real: a filesystem that
 * does not fit, a target path that cannot be made.
 */
class NodeCleanupTest {

    @TempDir
    Path tmp;

    @RegisterExtension
    final HostLeftovers leftovers = new HostLeftovers(() -> tmp);

    static Stream<Arguments> stagingSteps() {
        return Stream.of(
                Arguments.of("nbdfuse", (Predicate<List<String>>) argv -> argv.getFirst().equals("nbdfuse")),
                Arguments.of("losetup --find", prefix("losetup", "--find")),
                Arguments.of("blkid", prefix("blkid")),
                Arguments.of("mkfs.ext4", prefix("mkfs.ext4")),
                Arguments.of("mount", (Predicate<List<String>>) argv -> argv.getFirst().equals("mount") && argv.contains("-t")));
    }

    private static Predicate<List<String>> prefix(String... words) {
        return argv -> argv.size() >= words.length && argv.subList(0, words.length).equals(List.of(words));
    }

    private static void assertCode(Runnable call, Status.Code code, String... inMessage) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).as(e.getStatus().toString()).isEqualTo(code);
            assertThat(e.getStatus().getDescription()).contains(inMessage);
        });
    }

    @ParameterizedTest(name = "{0} fails")
    @MethodSource("stagingSteps")
    void aStagingThatFailsAtAnyStepLeavesNothing(String step, Predicate<List<String>> failing) throws Exception {
        NodeTools.requireStaging();
        FaultyOs os = new FaultyOs();
        VolumeCapability capability = NodeFixture.mount("ext4");
        try (NodeFixture strata = new NodeFixture(tmp, os)) {
            strata.createVolume("pvc-f", 32 * MiB, capability);
            Map<String, String> context = strata.attach("pvc-f", capability);
            os.failWhen(failing);
            assertCode(() -> strata.node().nodeStageVolume(strata.stageRequest("pvc-f", context, capability)), Status.Code.INTERNAL,
                    "injected failure");
            assertThat(HostLeftovers.under(tmp)).as("after %s failed", step).isEmpty();
            assertThat(tmp.resolve("data/node/pvc-f")).doesNotExist();
            assertThat(tmp.resolve("data/state/node-staged/pvc-f.json")).doesNotExist();

            os.heal();
            Path target = strata.use("pvc-f", "pod-1", capability);
            assertThat(Sh.ok("findmnt", "-n", "-o", "FSTYPE", target.toString()).strip()).isEqualTo("ext4");
            strata.release("pvc-f", "pod-1");
            assertThat(HostLeftovers.under(tmp)).isEmpty();
        }
    }

    @Test
    void aFilesystemThatDoesNotFitFailsWithWhatMkfsSaid() throws Exception {
        NodeTools.requireStaging();
        NodeTools.requireXfs();
        VolumeCapability xfs = NodeFixture.mount("xfs");
        try (NodeFixture strata = new NodeFixture(tmp)) {
            strata.createVolume("pvc-small", 64 * MiB, xfs);
            Map<String, String> context = strata.attach("pvc-small", xfs);
            assertCode(() -> strata.node().nodeStageVolume(strata.stageRequest("pvc-small", context, xfs)), Status.Code.INTERNAL,
                    "mkfs.xfs", "larger than 300MB");
            assertThat(HostLeftovers.under(tmp)).isEmpty();
            // the failed format was ours: ext4 may be made over whatever it left
            VolumeCapability ext4 = NodeFixture.mount("ext4");
            strata.node().nodeStageVolume(strata.stageRequest("pvc-small", context, ext4));
            assertThat(Sh.ok("findmnt", "-n", "-o", "FSTYPE", strata.staging("pvc-small").toString()).strip()).isEqualTo("ext4");
            strata.unstage("pvc-small");
            assertThat(HostLeftovers.under(tmp)).isEmpty();
        }
    }

    @Test
    void aPublicationThatFailsLeavesTheStagingAndNothingElse() throws Exception {
        NodeTools.requireStaging();
        FaultyOs os = new FaultyOs();
        VolumeCapability capability = NodeFixture.mount("ext4");
        try (NodeFixture strata = new NodeFixture(tmp, os)) {
            strata.createVolume("pvc-p", 32 * MiB, capability);
            strata.node().nodeStageVolume(strata.stageRequest("pvc-p", strata.attach("pvc-p", capability), capability));
            List<String> staged = HostLeftovers.under(tmp); // its mount, loop device, FUSE mount and nbdfuse
            assertThat(staged).hasSize(4);

            Files.writeString(tmp.resolve("a-file"), "in the way");
            NodePublishVolumeRequest underAFile = strata.publishRequest("pvc-p", "pod-1", capability, false).toBuilder()
                    .setTargetPath(tmp.resolve("a-file/target").toString()).build();
            assertCode(() -> strata.node().nodePublishVolume(underAFile), Status.Code.INVALID_ARGUMENT, "cannot be created");
            os.fail("mount", "--bind");
            assertCode(() -> strata.node().nodePublishVolume(strata.publishRequest("pvc-p", "pod-1", capability, false)),
                    Status.Code.INTERNAL, "injected failure");
            assertThat(strata.target("pvc-p", "pod-1")).as("the target it made is gone again").doesNotExist();
            assertThat(HostLeftovers.under(tmp)).as("the staging, and nothing of the publications").isEqualTo(staged);

            os.heal();
            strata.node().nodePublishVolume(strata.publishRequest("pvc-p", "pod-1", capability, false));
            strata.node().nodeUnpublishVolume(io.strata.csi.v1.NodeUnpublishVolumeRequest.newBuilder().setVolumeId("pvc-p")
                    .setTargetPath(strata.target("pvc-p", "pod-1").toString()).build());
            os.fail("losetup", "--detach");
            assertCode(() -> strata.unstage("pvc-p"), Status.Code.INTERNAL, "injected failure");
            os.heal();
            strata.unstage("pvc-p");
            assertThat(HostLeftovers.under(tmp)).as("an unstaging that failed half-way finishes when retried").isEmpty();
            assertThat(tmp.resolve("data/node/pvc-p")).doesNotExist();
        }
    }
}
