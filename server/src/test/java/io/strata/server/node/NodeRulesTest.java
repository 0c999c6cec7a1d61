package io.strata.server.node;

import static io.strata.server.node.NodeFixture.MiB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Message;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.strata.csi.node.HostLeftovers;
import io.strata.csi.node.NodeTools;
import io.strata.csi.v1.CapacityRange;
import io.strata.csi.v1.NodeExpandVolumeRequest;
import io.strata.csi.v1.NodeGetCapabilitiesRequest;
import io.strata.csi.v1.NodeGetInfoRequest;
import io.strata.csi.v1.NodeGetInfoResponse;
import io.strata.csi.v1.NodeGetVolumeStatsRequest;
import io.strata.csi.v1.NodeGrpc;
import io.strata.csi.v1.NodePublishVolumeRequest;
import io.strata.csi.v1.NodeServiceCapability;
import io.strata.csi.v1.NodeStageVolumeRequest;
import io.strata.csi.v1.NodeUnpublishVolumeRequest;
import io.strata.csi.v1.NodeUnstageVolumeRequest;
import io.strata.csi.v1.VolumeCapability;
import io.strata.csi.v1.VolumeCapability.AccessMode.Mode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Node service's answers as the CSI spec sets them: bad requests, unknown volumes and
 * mismatched calls get the spec's codes; every call may be repeated.
 */
class NodeRulesTest {

    /** One server for all cases: each case uses volumes of its own. */
    @TempDir
    static Path tmp;

    @RegisterExtension
    final HostLeftovers leftovers = new HostLeftovers(() -> tmp);

    private static NodeFixture strata;

    @BeforeAll
    static void start() throws Exception {
        strata = new NodeFixture(tmp);
    }

    @AfterAll
    static void stop() throws Exception {
        strata.close();
    }

    private static void assertCode(Runnable call, Status.Code code, String... inMessage) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).as(e.getStatus().toString()).isEqualTo(code);
            assertThat(e.getStatus().getDescription()).contains(inMessage);
        });
    }

    private static final VolumeCapability EXT4 = NodeFixture.mount("ext4");
    private static final NodeStageVolumeRequest STAGE = NodeStageVolumeRequest.newBuilder().setVolumeId("pvc-1")
            .setStagingTargetPath("/tmp/staging").setVolumeCapability(EXT4).build();
    private static final NodePublishVolumeRequest PUBLISH = NodePublishVolumeRequest.newBuilder().setVolumeId("pvc-1")
            .setStagingTargetPath("/tmp/staging").setTargetPath("/tmp/target").setVolumeCapability(EXT4).build();

    static Stream<Arguments> badRequests() {
        return Stream.of(
                bad("stage: no volume_id", n -> n.nodeStageVolume(STAGE.toBuilder().clearVolumeId().build()), "volume_id"),
                bad("stage: no staging path", n -> n.nodeStageVolume(STAGE.toBuilder().clearStagingTargetPath().build()),
                        "staging_target_path"),
                bad("stage: relative staging path", n -> n.nodeStageVolume(STAGE.toBuilder().setStagingTargetPath("rel/path").build()),
                        "staging_target_path must be an absolute path"),
                bad("stage: no capability", n -> n.nodeStageVolume(STAGE.toBuilder().clearVolumeCapability().build()),
                        "volume_capability"),
                bad("stage: btrfs", n -> n.nodeStageVolume(STAGE.toBuilder().setVolumeCapability(NodeFixture.mount("btrfs")).build()),
                        "fs_type"),
                bad("stage: multi-node", n -> n.nodeStageVolume(STAGE.toBuilder()
                        .setVolumeCapability(NodeFixture.withMode(EXT4, Mode.MULTI_NODE_MULTI_WRITER)).build()), "single-node"),
                bad("unstage: no staging path", n -> n.nodeUnstageVolume(NodeUnstageVolumeRequest.newBuilder().setVolumeId("pvc-1")
                        .build()), "staging_target_path"),
                bad("publish: no target", n -> n.nodePublishVolume(PUBLISH.toBuilder().clearTargetPath().build()), "target_path"),
                bad("publish: relative target", n -> n.nodePublishVolume(PUBLISH.toBuilder().setTargetPath("t").build()),
                        "target_path must be an absolute path"),
                bad("publish: no capability", n -> n.nodePublishVolume(PUBLISH.toBuilder().clearVolumeCapability().build()),
                        "volume_capability"),
                bad("unpublish: no volume_id", n -> n.nodeUnpublishVolume(NodeUnpublishVolumeRequest.newBuilder()
                        .setTargetPath("/tmp/target").build()), "volume_id"),
                bad("unpublish: no target", n -> n.nodeUnpublishVolume(NodeUnpublishVolumeRequest.newBuilder().setVolumeId("pvc-1")
                        .build()), "target_path"),
                bad("stats: no path", n -> n.nodeGetVolumeStats(NodeGetVolumeStatsRequest.newBuilder().setVolumeId("pvc-1").build()),
                        "volume_path"),
                bad("expand: no path", n -> n.nodeExpandVolume(NodeExpandVolumeRequest.newBuilder().setVolumeId("pvc-1").build()),
                        "volume_path"),
                bad("expand: negative size", n -> n.nodeExpandVolume(NodeExpandVolumeRequest.newBuilder().setVolumeId("pvc-1")
                        .setVolumePath("/tmp/target").setCapacityRange(CapacityRange.newBuilder().setRequiredBytes(-1)).build()),
                        "negative"));
    }

    private static Arguments bad(String name, Function<NodeGrpc.NodeBlockingStub, Message> call, String inMessage) {
        return Arguments.of(name, call, inMessage);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRequests")
    void badRequestsAreInvalidArgument(String name, Function<NodeGrpc.NodeBlockingStub, Message> call, String inMessage) {
        assertCode(() -> call.apply(strata.node()), Status.Code.INVALID_ARGUMENT, inMessage);
    }

    static Stream<Arguments> unknownVolumes() {
        return Stream.of(
                bad("stage", n -> n.nodeStageVolume(STAGE.toBuilder().setVolumeId("pvc-none").build()), "pvc-none"),
                bad("stage: not a Strata name", n -> n.nodeStageVolume(STAGE.toBuilder().setVolumeId("no/such").build()), "volume_id"),
                bad("unstage", n -> n.nodeUnstageVolume(NodeUnstageVolumeRequest.newBuilder().setVolumeId("pvc-none")
                        .setStagingTargetPath("/tmp/staging").build()), "pvc-none"),
                bad("publish", n -> n.nodePublishVolume(PUBLISH.toBuilder().setVolumeId("pvc-none").build()), "pvc-none"),
                bad("unpublish", n -> n.nodeUnpublishVolume(NodeUnpublishVolumeRequest.newBuilder().setVolumeId("pvc-none")
                        .setTargetPath("/tmp/target").build()), "pvc-none"),
                bad("stats", n -> n.nodeGetVolumeStats(NodeGetVolumeStatsRequest.newBuilder().setVolumeId("pvc-none")
                        .setVolumePath("/tmp/target").build()), "pvc-none"),
                bad("expand", n -> n.nodeExpandVolume(NodeExpandVolumeRequest.newBuilder().setVolumeId("pvc-none")
                        .setVolumePath("/tmp/target").build()), "pvc-none"),
                // csi-sanity asks with the relative path "some/path": the volume decides, not the path
                bad("stats: at a relative path", n -> n.nodeGetVolumeStats(NodeGetVolumeStatsRequest.newBuilder()
                        .setVolumeId("pvc-none").setVolumePath("some/path").build()), "no volume is at volume_path"),
                bad("expand: at a relative path", n -> n.nodeExpandVolume(NodeExpandVolumeRequest.newBuilder()
                        .setVolumeId("pvc-none").setVolumePath("some/path").build()), "no volume is at volume_path"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unknownVolumes")
    void unknownVolumesAreNotFound(String name, Function<NodeGrpc.NodeBlockingStub, Message> call, String inMessage) {
        assertCode(() -> call.apply(strata.node()), Status.Code.NOT_FOUND, inMessage);
    }

    @Test
    void aVolumeThatIsNotAtTheGivenPathIsNotFoundThere() {
        strata.createVolume("pvc-where", 32 * MiB, EXT4);
        assertCode(() -> strata.node().nodeGetVolumeStats(NodeGetVolumeStatsRequest.newBuilder().setVolumeId("pvc-where")
                .setVolumePath(tmp.resolve("nowhere").toString()).build()), Status.Code.NOT_FOUND, "pvc-where");
        assertCode(() -> strata.node().nodeGetVolumeStats(NodeGetVolumeStatsRequest.newBuilder().setVolumeId("pvc-where")
                .setVolumePath("some/path").build()), Status.Code.NOT_FOUND, "volume_path", "absolute path");
        assertCode(() -> strata.node().nodeExpandVolume(NodeExpandVolumeRequest.newBuilder().setVolumeId("pvc-where")
                .setVolumePath("some/path").build()), Status.Code.NOT_FOUND, "volume_path", "absolute path");
    }

    @Test
    void infoAndCapabilities() {
        NodeGetInfoResponse info = strata.node().nodeGetInfo(NodeGetInfoRequest.getDefaultInstance());
        assertThat(info.getNodeId()).isEqualTo(NodeFixture.NODE);
        assertThat(info.getMaxVolumesPerNode()).isEqualTo(64);
        assertThat(info.getAccessibleTopology().getSegmentsMap()).isEqualTo(Map.of("topology.strata.io/node", NodeFixture.NODE));
        assertThat(strata.node().nodeGetCapabilities(NodeGetCapabilitiesRequest.getDefaultInstance()).getCapabilitiesList())
                .extracting(c -> c.getRpc().getType()).containsExactlyInAnyOrder(NodeServiceCapability.RPC.Type.STAGE_UNSTAGE_VOLUME,
                        NodeServiceCapability.RPC.Type.GET_VOLUME_STATS, NodeServiceCapability.RPC.Type.EXPAND_VOLUME,
                        NodeServiceCapability.RPC.Type.VOLUME_CONDITION, NodeServiceCapability.RPC.Type.SINGLE_NODE_MULTI_WRITER);
    }

    @Test
    void stagingAndPublishingAreIdempotentAndRefuseWhatDoesNotMatch() throws Exception {
        NodeTools.requireStaging();
        strata.createVolume("pvc-i", 32 * MiB, EXT4);
        NodeStageVolumeRequest stage = strata.stageRequest("pvc-i", Map.of(), EXT4);
        assertCode(() -> strata.node().nodeStageVolume(stage), Status.Code.FAILED_PRECONDITION, "not attached", "ControllerPublishVolume");
        Map<String, String> context = strata.attach("pvc-i", EXT4);
        assertCode(() -> strata.node().nodeStageVolume(strata.stageRequest("pvc-i", Map.of("strata.io/export", "pvc-other"), EXT4)),
                Status.Code.INVALID_ARGUMENT, "publish_context");
        NodePublishVolumeRequest publish = strata.publishRequest("pvc-i", "pod-1", EXT4, false);
        assertCode(() -> strata.node().nodePublishVolume(publish), Status.Code.FAILED_PRECONDITION, "not staged");
        assertCode(() -> strata.node().nodePublishVolume(publish.toBuilder().clearStagingTargetPath().build()),
                Status.Code.FAILED_PRECONDITION, "staging_target_path is required");

        strata.node().nodeStageVolume(strata.stageRequest("pvc-i", context, EXT4));
        strata.node().nodeStageVolume(strata.stageRequest("pvc-i", context, EXT4)); // again: OK
        strata.node().nodeStageVolume(strata.stageRequest("pvc-i", context, NodeFixture.mount(""))); // whatever is there: OK
        assertCode(() -> strata.node().nodeStageVolume(strata.stageRequest("pvc-i", context, NodeFixture.mount("xfs"))),
                Status.Code.ALREADY_EXISTS, "ext4");
        assertCode(() -> strata.node().nodeStageVolume(strata.stageRequest("pvc-i", context, NodeFixture.mount("ext4", "noatime"))),
                Status.Code.ALREADY_EXISTS, "mount flags");
        assertCode(() -> strata.node().nodeStageVolume(strata.stageRequest("pvc-i", context, NodeFixture.block())),
                Status.Code.ALREADY_EXISTS, "block device");
        assertCode(() -> strata.node().nodeStageVolume(strata.stageRequest("pvc-i", context, EXT4).toBuilder()
                .setStagingTargetPath(tmp.resolve("elsewhere").toString()).build()), Status.Code.FAILED_PRECONDITION, "another path");

        strata.node().nodePublishVolume(publish);
        strata.node().nodePublishVolume(publish); // again: OK
        assertCode(() -> strata.node().nodePublishVolume(strata.publishRequest("pvc-i", "pod-1", EXT4, true)),
                Status.Code.ALREADY_EXISTS, "read-write");
        assertCode(() -> strata.node().nodePublishVolume(strata.publishRequest("pvc-i", "pod-2", NodeFixture.block(), false)),
                Status.Code.FAILED_PRECONDITION, "mount access");
        NodePublishVolumeRequest readOnly = strata.publishRequest("pvc-i", "pod-2", EXT4, true);
        strata.node().nodePublishVolume(readOnly); // a second workload of this node, read-only
        Path readOnlyTarget = strata.target("pvc-i", "pod-2");
        assertThat(Sh.run("touch", readOnlyTarget.resolve("x").toString()).out()).contains("Read-only file system");
        assertThat(strata.target("pvc-i", "pod-1").resolve("x")).doesNotExist();
        Files.writeString(strata.target("pvc-i", "pod-1").resolve("x"), "written by pod-1");
        assertThat(Files.readString(readOnlyTarget.resolve("x"))).isEqualTo("written by pod-1");
        assertCode(() -> strata.node().nodePublishVolume(strata.publishRequest("pvc-i", "pod-3",
                        NodeFixture.withMode(EXT4, Mode.SINGLE_NODE_SINGLE_WRITER), false)), Status.Code.FAILED_PRECONDITION,
                "single workload");

        assertCode(() -> strata.unstage("pvc-i"), Status.Code.FAILED_PRECONDITION, "NodeUnpublishVolume");
        assertThat(Files.readString(strata.target("pvc-i", "pod-1").resolve("x"))).as("a refused unstage changes nothing")
                .isEqualTo("written by pod-1");
        assertCode(() -> strata.node().nodeGetVolumeStats(NodeGetVolumeStatsRequest.newBuilder().setVolumeId("pvc-i")
                .setVolumePath(tmp.resolve("nowhere").toString()).build()), Status.Code.NOT_FOUND, "volume_path");

        for (String pod : new String[] {"pod-1", "pod-2", "pod-1"}) { // the second pod-1: again, OK
            strata.node().nodeUnpublishVolume(NodeUnpublishVolumeRequest.newBuilder().setVolumeId("pvc-i")
                    .setTargetPath(strata.target("pvc-i", pod).toString()).build());
        }
        strata.node().nodeUnstageVolume(NodeUnstageVolumeRequest.newBuilder().setVolumeId("pvc-i")
                .setStagingTargetPath(tmp.resolve("elsewhere").toString()).build()); // not staged there: OK, nothing done
        assertThat(Sh.ok("findmnt", "-n", "-o", "FSTYPE", strata.staging("pvc-i").toString()).strip()).isEqualTo("ext4");
        strata.unstage("pvc-i");
        strata.unstage("pvc-i"); // again: OK
        assertThat(HostLeftovers.under(tmp)).isEmpty();
        strata.detach("pvc-i");
    }

    @Test
    void aSingleNodeMultiWriterVolumeServesSeveralWorkloads() throws Exception {
        NodeTools.requireStaging();
        VolumeCapability multi = NodeFixture.withMode(EXT4, Mode.SINGLE_NODE_MULTI_WRITER);
        strata.createVolume("pvc-m", 32 * MiB, multi);
        strata.use("pvc-m", "pod-1", multi);
        strata.node().nodePublishVolume(strata.publishRequest("pvc-m", "pod-2", multi, false));
        Files.writeString(strata.target("pvc-m", "pod-1").resolve("shared"), "one filesystem");
        assertThat(Files.readString(strata.target("pvc-m", "pod-2").resolve("shared"))).isEqualTo("one filesystem");
        strata.node().nodeUnpublishVolume(NodeUnpublishVolumeRequest.newBuilder().setVolumeId("pvc-m")
                .setTargetPath(strata.target("pvc-m", "pod-2").toString()).build());
        strata.release("pvc-m", "pod-1");
        assertThat(HostLeftovers.under(tmp)).isEmpty();
    }

    @Test
    void dataThatIsNotAFilesystemIsNeverFormatted() throws Exception {
        NodeTools.requireStaging();
        VolumeCapability block = NodeFixture.block();
        strata.createVolume("pvc-raw", 32 * MiB, block);
        Path device = strata.use("pvc-raw", "pod-1", block);
        Path pattern = tmp.resolve("pattern.bin");
        byte[] data = new byte[(int) MiB];
        new java.util.Random(3).nextBytes(data);
        Files.write(pattern, data);
        Sh.ok("dd", "if=" + pattern, "of=" + device, "bs=1M", "seek=1", "oflag=direct", "conv=notrunc,fsync", "status=none");
        strata.release("pvc-raw", "pod-1");

        Map<String, String> context = strata.attach("pvc-raw", EXT4);
        assertCode(() -> strata.node().nodeStageVolume(strata.stageRequest("pvc-raw", context, EXT4)), Status.Code.FAILED_PRECONDITION,
                "holds data but no filesystem", "will not overwrite");
        assertThat(HostLeftovers.under(tmp)).isEmpty();

        Path again = strata.use("pvc-raw", "pod-2", block);
        Path back = tmp.resolve("back.bin");
        Sh.ok("dd", "if=" + again, "of=" + back, "bs=1M", "skip=1", "count=1", "iflag=direct", "status=none");
        assertThat(Files.readAllBytes(back)).as("untouched").isEqualTo(data);
        strata.release("pvc-raw", "pod-2");
        assertThat(HostLeftovers.under(tmp)).isEmpty();
    }

    @Test
    void aStagingBrokenBehindTheNodesBackIsReportedAndMendedByStagingAgain() throws Exception {
        NodeTools.requireStaging();
        strata.createVolume("pvc-gone", 32 * MiB, EXT4);
        Path target = strata.use("pvc-gone", "pod-1", EXT4);
        Files.writeString(target.resolve("kept"), "still here");
        Sh.ok("sync", "-f", target.resolve("kept").toString());
        Path staging = strata.staging("pvc-gone");
        NodeGetVolumeStatsRequest stats = NodeGetVolumeStatsRequest.newBuilder().setVolumeId("pvc-gone")
                .setVolumePath(staging.toString()).build();
        assertThat(strata.node().nodeGetVolumeStats(stats).getVolumeCondition().getAbnormal()).isFalse();

        Sh.ok("umount", target.toString());
        Sh.ok("umount", staging.toString());
        var condition = strata.node().nodeGetVolumeStats(stats).getVolumeCondition();
        assertThat(condition.getAbnormal()).isTrue();
        assertThat(condition.getMessage()).contains("no longer mounted at " + staging);

        strata.node().nodeStageVolume(strata.stageRequest("pvc-gone", Map.of(), EXT4)); // mended: staged again
        assertThat(strata.node().nodeGetVolumeStats(stats).getVolumeCondition().getAbnormal()).isFalse();
        assertThat(Files.readString(staging.resolve("kept"))).isEqualTo("still here");
        strata.release("pvc-gone", "pod-1");
        assertThat(HostLeftovers.under(tmp)).isEmpty();
    }

    @Test
    void aVolumeAttachedReadOnlyIsStagedReadOnly() throws Exception {
        NodeTools.requireStaging();
        strata.createVolume("pvc-ro", 32 * MiB, EXT4);
        io.strata.csi.v1.ControllerPublishVolumeRequest readOnly = io.strata.csi.v1.ControllerPublishVolumeRequest.newBuilder()
                .setVolumeId("pvc-ro").setNodeId(NodeFixture.NODE).setVolumeCapability(EXT4).setReadonly(true).build();
        Map<String, String> context = strata.csi.controller().controllerPublishVolume(readOnly).getPublishContextMap();
        assertCode(() -> strata.node().nodeStageVolume(strata.stageRequest("pvc-ro", context, EXT4)), Status.Code.FAILED_PRECONDITION,
                "no filesystem yet", "read-write");
        assertThat(HostLeftovers.under(tmp)).isEmpty();
        strata.detach("pvc-ro");

        Path target = strata.use("pvc-ro", "pod-1", EXT4); // read-write once: the filesystem is made
        Files.writeString(target.resolve("made"), "read-write");
        strata.release("pvc-ro", "pod-1");

        strata.csi.controller().controllerPublishVolume(readOnly);
        strata.node().nodeStageVolume(strata.stageRequest("pvc-ro", context, EXT4));
        assertThat(Sh.ok("findmnt", "-n", "-o", "OPTIONS", strata.staging("pvc-ro").toString())).startsWith("ro");
        assertThat(Sh.ok("losetup", "--list", "--noheadings", "--output", "RO",
                Sh.ok("findmnt", "-n", "-o", "SOURCE", strata.staging("pvc-ro").toString()).strip()).strip()).isEqualTo("1");
        strata.node().nodePublishVolume(strata.publishRequest("pvc-ro", "pod-2", EXT4, false));
        Path readOnlyTarget = strata.target("pvc-ro", "pod-2");
        assertThat(Files.readString(readOnlyTarget.resolve("made"))).isEqualTo("read-write");
        assertThat(Sh.run("touch", readOnlyTarget.resolve("new").toString()).out()).contains("Read-only file system");
        strata.release("pvc-ro", "pod-2");
        assertThat(HostLeftovers.under(tmp)).isEmpty();
    }
}
