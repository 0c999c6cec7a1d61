package io.strata.csi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Message;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.strata.csi.v1.CapacityRange;
import io.strata.csi.v1.ControllerExpandVolumeRequest;
import io.strata.csi.v1.ControllerExpandVolumeResponse;
import io.strata.csi.v1.ControllerGetCapabilitiesRequest;
import io.strata.csi.v1.ControllerGetVolumeRequest;
import io.strata.csi.v1.ControllerGrpc;
import io.strata.csi.v1.ControllerModifyVolumeRequest;
import io.strata.csi.v1.ControllerPublishVolumeRequest;
import io.strata.csi.v1.ControllerServiceCapability.RPC.Type;
import io.strata.csi.v1.ControllerUnpublishVolumeRequest;
import io.strata.csi.v1.CreateSnapshotRequest;
import io.strata.csi.v1.CreateVolumeRequest;
import io.strata.csi.v1.CreateVolumeResponse;
import io.strata.csi.v1.DeleteSnapshotRequest;
import io.strata.csi.v1.DeleteVolumeRequest;
import io.strata.csi.v1.GetCapacityRequest;
import io.strata.csi.v1.GetCapacityResponse;
import io.strata.csi.v1.GetSnapshotRequest;
import io.strata.csi.v1.ListSnapshotsRequest;
import io.strata.csi.v1.ListSnapshotsResponse;
import io.strata.csi.v1.ListVolumesRequest;
import io.strata.csi.v1.ListVolumesResponse;
import io.strata.csi.v1.Snapshot;
import io.strata.csi.v1.TopologyRequirement;
import io.strata.csi.v1.ValidateVolumeCapabilitiesRequest;
import io.strata.csi.v1.ValidateVolumeCapabilitiesResponse;
import io.strata.csi.v1.VolumeCapability;
import io.strata.csi.v1.VolumeCapability.AccessMode.Mode;
import io.strata.csi.v1.VolumeContentSource;
import io.strata.domain.VolumeName;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The CSI spec's MUSTs for every Controller RPC Strata implements, over the socket: required fields,
 * idempotency, what unknown ids answer, paging, capabilities and topology. One server serves the
 * whole class; each test uses names of its own.
 */
class ControllerConformanceTest {
    private static final long MiB = 1 << 20;
    private static final long SIZE = 8 * MiB;

    @TempDir
    static Path dir;

    private static ControllerHarness harness;

    @BeforeAll
    static void start() throws Exception {
        harness = ControllerHarness.start(dir);
    }

    @AfterAll
    static void stop() throws Exception {
        harness.close();
    }

    private static ControllerGrpc.ControllerBlockingStub controller() {
        return harness.controller();
    }

    private static CreateVolumeRequest create(String name) {
        return CreateVolumeRequest.newBuilder().setName(name).setCapacityRange(CapacityRange.newBuilder().setRequiredBytes(SIZE))
                .addVolumeCapabilities(Sidecars.readWriteOnce()).build();
    }

    private static String volume(String name) {
        return controller().createVolume(create(name)).getVolume().getVolumeId();
    }

    private static CreateSnapshotRequest snapshot(String name, String volume, String type) {
        return CreateSnapshotRequest.newBuilder().setName(name).setSourceVolumeId(volume).putParameters("type", type).build();
    }

    private static VolumeCapability capability(Mode mode) {
        return Sidecars.readWriteOnce().toBuilder()
                .setAccessMode(VolumeCapability.AccessMode.newBuilder().setMode(mode)).build();
    }

    private static VolumeCapability block() {
        return VolumeCapability.newBuilder().setBlock(VolumeCapability.BlockVolume.getDefaultInstance())
                .setAccessMode(VolumeCapability.AccessMode.newBuilder().setMode(Mode.SINGLE_NODE_WRITER)).build();
    }

    private static void assertCode(ThrowingCallable call, Status.Code code, String... messageParts) {
        assertThatThrownBy(call).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).as("%s", e.getStatus()).isEqualTo(code);
            if (messageParts.length > 0) {
                assertThat(e.getStatus().getDescription()).contains(messageParts);
            }
        });
    }

    // ---------------------------------------------------------------- required fields

    static Stream<Arguments> missingFields() {
        VolumeCapability rwo = Sidecars.readWriteOnce();
        return Stream.of(
                Arguments.of("CreateVolume without name", "name", call(c -> c.createVolume(create("x").toBuilder().clearName().build()))),
                Arguments.of("CreateVolume without capabilities", "volume_capabilities",
                        call(c -> c.createVolume(create("x").toBuilder().clearVolumeCapabilities().build()))),
                Arguments.of("CreateVolume with a capability of no access type", "volume_capabilities[0]",
                        call(c -> c.createVolume(create("x").toBuilder().setVolumeCapabilities(0, rwo.toBuilder().clearMount()).build()))),
                Arguments.of("CreateVolume with a capability of no access mode", "volume_capabilities[0]",
                        call(c -> c.createVolume(create("x").toBuilder().setVolumeCapabilities(0, rwo.toBuilder().clearAccessMode()).build()))),
                Arguments.of("CreateVolume with a negative size", "capacity_range",
                        call(c -> c.createVolume(create("x").toBuilder().setCapacityRange(CapacityRange.newBuilder().setRequiredBytes(-1)).build()))),
                Arguments.of("CreateVolume from a snapshot without id", "volume_content_source.snapshot.snapshot_id",
                        call(c -> c.createVolume(create("x").toBuilder().setVolumeContentSource(VolumeContentSource.newBuilder()
                                .setSnapshot(VolumeContentSource.SnapshotSource.getDefaultInstance())).build()))),
                Arguments.of("CreateVolume from a volume without id", "volume_content_source.volume.volume_id",
                        call(c -> c.createVolume(create("x").toBuilder().setVolumeContentSource(VolumeContentSource.newBuilder()
                                .setVolume(VolumeContentSource.VolumeSource.getDefaultInstance())).build()))),
                Arguments.of("DeleteVolume without id", "volume_id", call(c -> c.deleteVolume(DeleteVolumeRequest.getDefaultInstance()))),
                Arguments.of("ControllerPublishVolume without volume id", "volume_id",
                        call(c -> c.controllerPublishVolume(Sidecars.attachRequest("", "node-a")))),
                Arguments.of("ControllerPublishVolume without node id", "node_id",
                        call(c -> c.controllerPublishVolume(Sidecars.attachRequest("pvc-1", "")))),
                Arguments.of("ControllerPublishVolume without capability", "volume_capability",
                        call(c -> c.controllerPublishVolume(Sidecars.attachRequest("pvc-1", "node-a").toBuilder().clearVolumeCapability().build()))),
                Arguments.of("ControllerUnpublishVolume without volume id", "volume_id",
                        call(c -> c.controllerUnpublishVolume(ControllerUnpublishVolumeRequest.newBuilder().setNodeId("node-a").build()))),
                Arguments.of("ValidateVolumeCapabilities without volume id", "volume_id",
                        call(c -> c.validateVolumeCapabilities(ValidateVolumeCapabilitiesRequest.newBuilder().addVolumeCapabilities(rwo).build()))),
                Arguments.of("ValidateVolumeCapabilities without capabilities", "volume_capabilities",
                        call(c -> c.validateVolumeCapabilities(ValidateVolumeCapabilitiesRequest.newBuilder().setVolumeId("pvc-1").build()))),
                Arguments.of("ControllerGetVolume without id", "volume_id",
                        call(c -> c.controllerGetVolume(ControllerGetVolumeRequest.getDefaultInstance()))),
                Arguments.of("ControllerExpandVolume without id", "volume_id",
                        call(c -> c.controllerExpandVolume(ControllerExpandVolumeRequest.newBuilder()
                                .setCapacityRange(CapacityRange.newBuilder().setRequiredBytes(SIZE)).build()))),
                Arguments.of("ControllerExpandVolume without capacity", "capacity_range",
                        call(c -> c.controllerExpandVolume(ControllerExpandVolumeRequest.newBuilder().setVolumeId("pvc-1").build()))),
                Arguments.of("CreateSnapshot without source", "source_volume_id",
                        call(c -> c.createSnapshot(CreateSnapshotRequest.newBuilder().setName("snapshot-1").build()))),
                Arguments.of("CreateSnapshot without name", "name",
                        call(c -> c.createSnapshot(CreateSnapshotRequest.newBuilder().setSourceVolumeId("pvc-1").build()))),
                Arguments.of("CreateSnapshot of an unknown type", "must be bak",
                        call(c -> c.createSnapshot(snapshot("snapshot-1", "pvc-1", "backup")))),
                Arguments.of("CreateSnapshot of an unknown backup mode", "backupMode",
                        call(c -> c.createSnapshot(snapshot("snapshot-1", "pvc-1", "bak").toBuilder().putParameters("backupMode", "differential").build()))),
                Arguments.of("CreateSnapshot of an in-cluster kind with a backup mode", "backupMode",
                        call(c -> c.createSnapshot(snapshot("snapshot-1", "pvc-1", "ss").toBuilder().putParameters("backupMode", "full").build()))),
                Arguments.of("DeleteSnapshot without id", "snapshot_id", call(c -> c.deleteSnapshot(DeleteSnapshotRequest.getDefaultInstance()))),
                Arguments.of("ListVolumes with negative max_entries", "max_entries",
                        call(c -> c.listVolumes(ListVolumesRequest.newBuilder().setMaxEntries(-1).build()))),
                Arguments.of("ListSnapshots with negative max_entries", "max_entries",
                        call(c -> c.listSnapshots(ListSnapshotsRequest.newBuilder().setMaxEntries(-1).build()))));
    }

    private static ThrowingCallable call(Function<ControllerGrpc.ControllerBlockingStub, Message> rpc) {
        return () -> rpc.apply(controller());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("missingFields")
    void aMissingOrInvalidFieldIsInvalidArgumentNamingIt(String name, String field, ThrowingCallable call) {
        assertCode(call, Status.Code.INVALID_ARGUMENT, field);
    }

    // ---------------------------------------------------------------- idempotency

    @Test
    void createVolumeTwiceAnswersTheSameAndOtherwiseAlreadyExists() throws Exception {
        CreateVolumeResponse first = controller().createVolume(create("pvc-idem"));
        assertThat(controller().createVolume(create("pvc-idem"))).isEqualTo(first);
        assertThat(first.getVolume().getCapacityBytes()).isEqualTo(SIZE);
        assertCode(() -> controller().createVolume(create("pvc-idem").toBuilder()
                .setCapacityRange(CapacityRange.newBuilder().setRequiredBytes(2 * SIZE)).build()), Status.Code.ALREADY_EXISTS);
        assertCode(() -> controller().createVolume(create("pvc-idem").toBuilder()
                .setVolumeContentSource(Sidecars.fromVolume(volume("pvc-idem-src"))).build()), Status.Code.ALREADY_EXISTS);

        // any name the spec allows, though not a Strata name, gets a stable id of its own
        CreateVolumeResponse odd = controller().createVolume(create("Payroll DB / primary"));
        assertThat(odd.getVolume().getVolumeId()).matches("csi-[0-9a-f]{32}");
        assertThat(controller().createVolume(create("Payroll DB / primary"))).isEqualTo(odd);
        assertCode(() -> controller().createVolume(create("bad\u0007name")), Status.Code.INVALID_ARGUMENT, "control character");
        // a one-character name is no name for a new volume (its backups could not be stored): hashed, as others
        CreateVolumeResponse single = controller().createVolume(create("a"));
        assertThat(single.getVolume().getVolumeId()).matches("csi-[0-9a-f]{32}");
        assertThat(new Sidecars(ControllerConformanceTest::controller).awaitReady(snapshot("snapshot-of-a",
                single.getVolume().getVolumeId(), "bak")).getReadyToUse()).isTrue();
    }

    @Test
    void createSnapshotTwiceAnswersTheSameAndOtherwiseAlreadyExists() throws Exception {
        String a = volume("pvc-snap-a");
        String b = volume("pvc-snap-b");
        Snapshot ss = controller().createSnapshot(snapshot("snapshot-idem", a, "ss")).getSnapshot();
        assertThat(controller().createSnapshot(snapshot("snapshot-idem", a, "ss")).getSnapshot()).isEqualTo(ss);
        assertCode(() -> controller().createSnapshot(snapshot("snapshot-idem", b, "ss")), Status.Code.ALREADY_EXISTS);
        assertCode(() -> controller().createSnapshot(snapshot("snapshot-idem", a, "bak")), Status.Code.ALREADY_EXISTS);

        Snapshot bak = new Sidecars(ControllerConformanceTest::controller).awaitReady(snapshot("snapshot-idem-bak", a, "bak"));
        assertThat(controller().createSnapshot(snapshot("snapshot-idem-bak", a, "bak")).getSnapshot()).isEqualTo(bak);
        assertCode(() -> controller().createSnapshot(snapshot("snapshot-idem-bak", b, "bak")), Status.Code.ALREADY_EXISTS);
        assertCode(() -> controller().createSnapshot(snapshot("snapshot-idem-bak", a, "ss")), Status.Code.ALREADY_EXISTS);
    }

    // ---------------------------------------------------------------- unknown things

    @Test
    void deletingOrDetachingWhatDoesNotExistSucceedsAndUsingItIsNotFound() {
        for (String id : List.of("pvc-never", "not a volume id", "x".repeat(300))) {
            controller().deleteVolume(DeleteVolumeRequest.newBuilder().setVolumeId(id).build());
            controller().controllerUnpublishVolume(ControllerUnpublishVolumeRequest.newBuilder().setVolumeId(id).setNodeId("node-a").build());
            controller().controllerUnpublishVolume(ControllerUnpublishVolumeRequest.newBuilder().setVolumeId(id).build());
            assertCode(() -> controller().controllerPublishVolume(Sidecars.attachRequest(id, "node-a")), Status.Code.NOT_FOUND);
            assertCode(() -> controller().controllerGetVolume(ControllerGetVolumeRequest.newBuilder().setVolumeId(id).build()),
                    Status.Code.NOT_FOUND);
            assertCode(() -> controller().controllerExpandVolume(ControllerExpandVolumeRequest.newBuilder().setVolumeId(id)
                    .setCapacityRange(CapacityRange.newBuilder().setRequiredBytes(SIZE)).build()), Status.Code.NOT_FOUND);
            assertCode(() -> controller().validateVolumeCapabilities(ValidateVolumeCapabilitiesRequest.newBuilder().setVolumeId(id)
                    .addVolumeCapabilities(Sidecars.readWriteOnce()).build()), Status.Code.NOT_FOUND);
            assertCode(() -> controller().createSnapshot(snapshot("snapshot-of-nothing", id, "bak")), Status.Code.NOT_FOUND);
            assertCode(() -> controller().createVolume(create("pvc-from-nothing").toBuilder()
                    .setVolumeContentSource(Sidecars.fromVolume(id)).build()), Status.Code.NOT_FOUND);
        }
        for (String malformed : List.of("pvc-1/snapshot-1", "garbage", "bak://a/b/c", "x".repeat(300))) {
            // the spec's rule that deleting what does not exist succeeds wins over INVALID_ARGUMENT:
            // the snapshotter would otherwise retry the deletion forever
            controller().deleteSnapshot(DeleteSnapshotRequest.newBuilder().setSnapshotId(malformed).build());
        }
        for (String handle : List.of("bak://pvc-never/backup-0000000000000000", "bs://pvc-never/backup-1", "ss://pvc-never/snapshot-1",
                "snap://pvc-never/snapshot-1")) {
            controller().deleteSnapshot(DeleteSnapshotRequest.newBuilder().setSnapshotId(handle).build());
            assertCode(() -> controller().createVolume(create("pvc-from-nothing").toBuilder()
                    .setVolumeContentSource(Sidecars.fromSnapshot(handle)).build()), Status.Code.NOT_FOUND);
        }
        assertCode(() -> controller().createVolume(create("pvc-from-nothing").toBuilder()
                .setVolumeContentSource(Sidecars.fromSnapshot("non-existing-snapshot-id")).build()), Status.Code.NOT_FOUND);
        assertThat(controller().listVolumes(ListVolumesRequest.getDefaultInstance()).getEntriesList())
                .noneMatch(e -> e.getVolume().getVolumeId().equals("pvc-from-nothing"));
    }

    @Test
    void listSnapshotsOfWhatCannotOrDoesNotExistIsEmpty() {
        for (String id : List.of("bak://pvc-never/backup-0000000000000000", "ss://pvc-never/snapshot-1", "garbage", "bak://a/b/c")) {
            assertThat(controller().listSnapshots(ListSnapshotsRequest.newBuilder().setSnapshotId(id).build()).getEntriesList()).isEmpty();
        }
        for (String volume : List.of("pvc-never", "not a volume id")) {
            assertThat(controller().listSnapshots(ListSnapshotsRequest.newBuilder().setSourceVolumeId(volume).build())
                    .getEntriesList()).isEmpty();
        }
        String volume = volume("pvc-list-filter");
        Snapshot ss = controller().createSnapshot(snapshot("snapshot-filter", volume, "ss")).getSnapshot();
        assertThat(controller().listSnapshots(ListSnapshotsRequest.newBuilder().setSnapshotId(ss.getSnapshotId())
                .setSourceVolumeId("pvc-other").build()).getEntriesList()).as("both filters apply").isEmpty();
        assertThat(controller().listSnapshots(ListSnapshotsRequest.newBuilder().setSnapshotId(ss.getSnapshotId())
                .setSourceVolumeId(volume).build()).getEntriesList()).singleElement().satisfies(e -> assertThat(e.getSnapshot()).isEqualTo(ss));
    }

    // ---------------------------------------------------------------- paging

    @Test
    void listVolumesPagesWithTokensAndAbortsOnABadOne() {
        List<String> made = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            made.add(volume("pvc-page-" + i));
        }
        List<String> seen = new ArrayList<>();
        String token = "";
        int pages = 0;
        do {
            ListVolumesResponse page = controller().listVolumes(ListVolumesRequest.newBuilder().setMaxEntries(2).setStartingToken(token).build());
            assertThat(page.getEntriesCount()).isLessThanOrEqualTo(2);
            page.getEntriesList().forEach(e -> seen.add(e.getVolume().getVolumeId()));
            token = page.getNextToken();
            pages++;
        } while (!token.isEmpty() && pages < 100);
        assertThat(seen).doesNotHaveDuplicates().containsAll(made);
        assertThat(controller().listVolumes(ListVolumesRequest.getDefaultInstance()).getEntriesList()).hasSameSizeAs(seen);

        String second = controller().listVolumes(ListVolumesRequest.newBuilder().setMaxEntries(1).build()).getNextToken();
        controller().deleteVolume(DeleteVolumeRequest.newBuilder().setVolumeId(second.substring(1)).build());
        assertThat(controller().listVolumes(ListVolumesRequest.newBuilder().setStartingToken(second).build()).getEntriesCount())
                .as("a token whose entry went still pages on").isEqualTo(seen.size() - 2);
        for (String bad : List.of("invalid-token", "@not a name", "3")) {
            assertCode(() -> controller().listVolumes(ListVolumesRequest.newBuilder().setStartingToken(bad).build()), Status.Code.ABORTED);
        }
    }

    @Test
    void listSnapshotsPagesWithTokensAndAbortsOnABadOne() throws Exception {
        String volume = volume("pvc-snap-page");
        List<String> made = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            made.add(controller().createSnapshot(snapshot("snapshot-page-" + i, volume, i == 1 ? "snap" : "ss")).getSnapshot().getSnapshotId());
        }
        made.add(new Sidecars(ControllerConformanceTest::controller).awaitReady(snapshot("snapshot-page-bak", volume, "bak")).getSnapshotId());
        List<String> seen = new ArrayList<>();
        String token = "";
        do {
            ListSnapshotsResponse page = controller().listSnapshots(ListSnapshotsRequest.newBuilder().setSourceVolumeId(volume)
                    .setMaxEntries(3).setStartingToken(token).build());
            assertThat(page.getEntriesCount()).isLessThanOrEqualTo(3);
            page.getEntriesList().forEach(e -> seen.add(e.getSnapshot().getSnapshotId()));
            token = page.getNextToken();
        } while (!token.isEmpty());
        assertThat(seen).containsExactlyInAnyOrderElementsOf(made);
        assertThat(controller().listSnapshots(ListSnapshotsRequest.getDefaultInstance()).getEntriesList())
                .extracting(e -> e.getSnapshot().getSnapshotId()).containsAll(made);
        assertCode(() -> controller().listSnapshots(ListSnapshotsRequest.newBuilder().setStartingToken("invalid-token").build()),
                Status.Code.ABORTED);
    }

    // ---------------------------------------------------------------- capabilities and topology

    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"MULTI_NODE_READER_ONLY", "MULTI_NODE_SINGLE_WRITER", "MULTI_NODE_MULTI_WRITER"})
    void aMultiNodeModeIsRefusedOnCreateAndNotConfirmed(Mode mode) {
        assertCode(() -> controller().createVolume(create("pvc-multi").toBuilder().addVolumeCapabilities(capability(mode)).build()),
                Status.Code.INVALID_ARGUMENT, "volume_capabilities[1]", mode.name());
        String volume = volume("pvc-validate-" + mode.ordinal());
        ValidateVolumeCapabilitiesResponse refused = controller().validateVolumeCapabilities(ValidateVolumeCapabilitiesRequest
                .newBuilder().setVolumeId(volume).addVolumeCapabilities(Sidecars.readWriteOnce()).addVolumeCapabilities(capability(mode)).build());
        assertThat(refused.hasConfirmed()).isFalse();
        assertThat(refused.getMessage()).contains("volume_capabilities[1]");
    }

    @Test
    void supportedCapabilitiesAreConfirmedAndOthersNot() {
        String volume = volume("pvc-validate");
        ValidateVolumeCapabilitiesRequest request = ValidateVolumeCapabilitiesRequest.newBuilder().setVolumeId(volume)
                .addVolumeCapabilities(Sidecars.readWriteOnce()).addVolumeCapabilities(block())
                .addVolumeCapabilities(capability(Mode.SINGLE_NODE_SINGLE_WRITER)).addVolumeCapabilities(capability(Mode.SINGLE_NODE_MULTI_WRITER))
                .addVolumeCapabilities(capability(Mode.SINGLE_NODE_READER_ONLY))
                .putVolumeContext("k", "v").putParameters("p", "q").build();
        ValidateVolumeCapabilitiesResponse confirmed = controller().validateVolumeCapabilities(request);
        assertThat(confirmed.getConfirmed().getVolumeCapabilitiesList()).isEqualTo(request.getVolumeCapabilitiesList());
        assertThat(confirmed.getConfirmed().getVolumeContextMap()).isEqualTo(request.getVolumeContextMap());
        assertThat(confirmed.getConfirmed().getParametersMap()).isEqualTo(request.getParametersMap());

        VolumeCapability ext3 = Sidecars.readWriteOnce().toBuilder()
                .setMount(VolumeCapability.MountVolume.newBuilder().setFsType("ext3")).build();
        assertThat(controller().validateVolumeCapabilities(request.toBuilder().addVolumeCapabilities(ext3).build()).hasConfirmed()).isFalse();
        assertCode(() -> controller().createVolume(create("pvc-ext3").toBuilder().setVolumeCapabilities(0, ext3).build()),
                Status.Code.INVALID_ARGUMENT, "ext4");
        assertThat(controller().createVolume(create("pvc-xfs-block").toBuilder().addVolumeCapabilities(block())
                .addVolumeCapabilities(Sidecars.readWriteOnce().toBuilder().setMount(VolumeCapability.MountVolume.newBuilder()
                        .setFsType("xfs"))).build()).getVolume().getCapacityBytes()).isEqualTo(SIZE);
    }

    @Test
    void volumesLiveOnTheServersNodeAndRequirementsElsewhereAreResourceExhausted() {
        TopologyRequirement elsewhere = TopologyRequirement.newBuilder().addRequisite(Sidecars.node("node-b"))
                .addRequisite(Sidecars.node("node-c")).addPreferred(Sidecars.node("node-b")).build();
        assertCode(() -> controller().createVolume(create("pvc-elsewhere").toBuilder().setAccessibilityRequirements(elsewhere).build()),
                Status.Code.RESOURCE_EXHAUSTED, "node-a");
        TopologyRequirement here = elsewhere.toBuilder().addRequisite(Sidecars.node("node-a")).build();
        assertThat(controller().createVolume(create("pvc-here").toBuilder().setAccessibilityRequirements(here).build())
                .getVolume().getAccessibleTopologyList()).containsExactly(Sidecars.node("node-a"));

        GetCapacityResponse local = controller().getCapacity(GetCapacityRequest.newBuilder().addVolumeCapabilities(Sidecars.readWriteOnce())
                .setAccessibleTopology(Sidecars.node("node-a")).putParameters("ignored", "yes").build());
        assertThat(local.getAvailableCapacity()).isPositive();
        assertThat(local.getMaximumVolumeSize().getValue()).as("64 TiB, or less where the file system's files are smaller")
                .isPositive().isLessThanOrEqualTo(64L << 40);
        assertThat(controller().getCapacity(GetCapacityRequest.getDefaultInstance()).getAvailableCapacity()).isPositive();
        assertThat(controller().getCapacity(GetCapacityRequest.newBuilder().setAccessibleTopology(Sidecars.node("node-b")).build())
                .getAvailableCapacity()).isZero();
        assertThat(controller().getCapacity(GetCapacityRequest.newBuilder().addVolumeCapabilities(capability(Mode.MULTI_NODE_MULTI_WRITER))
                .build()).getAvailableCapacity()).isZero();
    }

    @Test
    void capabilitiesAreAdvertisedAndWhatIsNotOfferedIsUnimplemented() {
        assertThat(controller().controllerGetCapabilities(ControllerGetCapabilitiesRequest.getDefaultInstance()).getCapabilitiesList())
                .extracting(c -> c.getRpc().getType())
                .containsExactlyInAnyOrder(Type.CREATE_DELETE_VOLUME, Type.PUBLISH_UNPUBLISH_VOLUME, Type.LIST_VOLUMES,
                        Type.GET_CAPACITY, Type.CREATE_DELETE_SNAPSHOT, Type.LIST_SNAPSHOTS, Type.CLONE_VOLUME, Type.PUBLISH_READONLY,
                        Type.EXPAND_VOLUME, Type.LIST_VOLUMES_PUBLISHED_NODES, Type.GET_VOLUME, Type.SINGLE_NODE_MULTI_WRITER);
        assertCode(() -> controller().controllerModifyVolume(ControllerModifyVolumeRequest.newBuilder().setVolumeId("pvc-1").build()),
                Status.Code.UNIMPLEMENTED);
        assertCode(() -> controller().getSnapshot(GetSnapshotRequest.newBuilder().setSnapshotId("ss://pvc-1/s").build()),
                Status.Code.UNIMPLEMENTED);
    }

    // ---------------------------------------------------------------- attachment, expansion, deletion

    @Test
    void aVolumeAttachesToOneNodeAtATimeAndIsDeletedOnlyDetached() throws Exception {
        String volume = volume("pvc-attach");
        ControllerPublishVolumeRequest attach = Sidecars.attachRequest(volume, "node-a");
        assertThat(controller().controllerPublishVolume(attach).getPublishContextMap()).containsExactly(
                Map.entry(ControllerService.EXPORT_KEY, volume));
        assertThat(controller().controllerPublishVolume(attach)).as("again: the same").isEqualTo(controller().controllerPublishVolume(attach));
        assertCode(() -> controller().controllerPublishVolume(attach.toBuilder().setReadonly(true).build()), Status.Code.ALREADY_EXISTS);
        assertCode(() -> controller().controllerPublishVolume(Sidecars.attachRequest(volume, "node-b")), Status.Code.NOT_FOUND,
                "node_id names no node", "node-a");
        harness.volumes.unpublish(VolumeName.of(volume), "node-a");
        // attached elsewhere (by another client of control than this plugin): refused until detached there
        harness.volumes.publish(VolumeName.of(volume), "node-b", false);
        assertCode(() -> controller().controllerPublishVolume(attach), Status.Code.FAILED_PRECONDITION, "node-b", "detach it there");
        controller().controllerUnpublishVolume(ControllerUnpublishVolumeRequest.newBuilder().setVolumeId(volume).setNodeId("node-b").build());
        controller().controllerPublishVolume(attach);
        assertThat(controller().controllerGetVolume(ControllerGetVolumeRequest.newBuilder().setVolumeId(volume).build())
                .getStatus().getPublishedNodeIdsList()).containsExactly("node-a");
        assertThat(controller().listVolumes(ListVolumesRequest.getDefaultInstance()).getEntriesList())
                .filteredOn(e -> e.getVolume().getVolumeId().equals(volume))
                .singleElement().satisfies(e -> assertThat(e.getStatus().getPublishedNodeIdsList()).containsExactly("node-a"));
        assertCode(() -> controller().deleteVolume(DeleteVolumeRequest.newBuilder().setVolumeId(volume).build()),
                Status.Code.FAILED_PRECONDITION, "detach");

        controller().controllerUnpublishVolume(ControllerUnpublishVolumeRequest.newBuilder().setVolumeId(volume).setNodeId("node-b").build());
        assertThat(controller().controllerGetVolume(ControllerGetVolumeRequest.newBuilder().setVolumeId(volume).build())
                .getStatus().getPublishedNodeIdsList()).as("not attached there: nothing to do").containsExactly("node-a");
        controller().controllerUnpublishVolume(ControllerUnpublishVolumeRequest.newBuilder().setVolumeId(volume).setNodeId("node-a").build());
        controller().controllerUnpublishVolume(ControllerUnpublishVolumeRequest.newBuilder().setVolumeId(volume).setNodeId("node-a").build());
        controller().controllerPublishVolume(Sidecars.attachRequest(volume, "node-a").toBuilder()
                .setVolumeCapability(capability(Mode.SINGLE_NODE_READER_ONLY)).build());
        controller().controllerUnpublishVolume(ControllerUnpublishVolumeRequest.newBuilder().setVolumeId(volume).build()); // every node
        controller().deleteVolume(DeleteVolumeRequest.newBuilder().setVolumeId(volume).build());
        controller().deleteVolume(DeleteVolumeRequest.newBuilder().setVolumeId(volume).build());
        assertCode(() -> controller().controllerGetVolume(ControllerGetVolumeRequest.newBuilder().setVolumeId(volume).build()),
                Status.Code.NOT_FOUND);
    }

    @Test
    void expansionGrowsNeverShrinksAndAsksTheNodeToGrowWhatItStaged() {
        String volume = volume("pvc-grow");
        ControllerExpandVolumeRequest grow = ControllerExpandVolumeRequest.newBuilder().setVolumeId(volume)
                .setCapacityRange(CapacityRange.newBuilder().setRequiredBytes(2 * SIZE)).setVolumeCapability(Sidecars.readWriteOnce()).build();
        ControllerExpandVolumeResponse grown = controller().controllerExpandVolume(grow);
        assertThat(grown.getCapacityBytes()).isEqualTo(2 * SIZE);
        assertThat(grown.getNodeExpansionRequired()).isTrue();
        assertThat(controller().controllerExpandVolume(grow)).as("again: already that size").isEqualTo(grown);
        assertThat(controller().controllerExpandVolume(grow.toBuilder().setVolumeCapability(block())
                .setCapacityRange(CapacityRange.newBuilder().setRequiredBytes(3 * SIZE)).build()).getNodeExpansionRequired())
                .as("a staged block volume's loop device grows on the node too").isTrue();
        assertCode(() -> controller().controllerExpandVolume(grow.toBuilder()
                .setCapacityRange(CapacityRange.newBuilder().setRequiredBytes(SIZE).setLimitBytes(SIZE)).build()), Status.Code.OUT_OF_RANGE);
        assertThat(controller().controllerGetVolume(ControllerGetVolumeRequest.newBuilder().setVolumeId(volume).build())
                .getVolume().getCapacityBytes()).isEqualTo(3 * SIZE);
    }

    @Test
    void aCallOnAVolumeAbortsTheOthersOnItAndHoldsUpNoOtherVolume() throws Exception {
        String volume = volume("pvc-busy");
        byte[] data = new byte[(int) MiB];
        new java.util.Random(3).nextBytes(data);
        harness.write(volume, data); // a block for the deletion to collect
        Sidecars sidecars = new Sidecars(ControllerConformanceTest::controller);
        Snapshot done = sidecars.awaitReady(snapshot("snapshot-busy", volume, "bak"));
        harness.gate.close();
        Thread deleting = Thread.ofVirtual().start(() -> sidecars.deleteSnapshot(done.getSnapshotId()));
        try {
            harness.gate.awaitWaiting(1); // DeleteSnapshot holds the volume while it collects blocks
            assertCode(() -> controller().createSnapshot(snapshot("snapshot-busy-2", volume, "ss")), Status.Code.ABORTED, volume);
            assertCode(() -> controller().controllerExpandVolume(ControllerExpandVolumeRequest.newBuilder().setVolumeId(volume)
                    .setCapacityRange(CapacityRange.newBuilder().setRequiredBytes(2 * SIZE)).build()), Status.Code.ABORTED);
            assertThat(controller().createSnapshot(snapshot("snapshot-other", volume("pvc-not-busy"), "ss")).getSnapshot().getReadyToUse())
                    .as("other volumes are not held").isTrue();
        } finally {
            harness.gate.open();
            deleting.join();
        }
        assertThat(controller().createSnapshot(snapshot("snapshot-busy-2", volume, "ss")).getSnapshot().getReadyToUse()).isTrue();
        assertThat(controller().listSnapshots(ListSnapshotsRequest.newBuilder().setSnapshotId(done.getSnapshotId()).build())
                .getEntriesCount()).as("the deletion went through").isZero();
    }

    @Test
    void aBackupWhoseCfgCannotBeReadIsLeftOutOfListSnapshotsWhichStillAnswers() throws Exception {
        String volume = volume("pvc-broken-cfg");
        byte[] data = new byte[(int) MiB];
        new java.util.Random(4).nextBytes(data);
        harness.write(volume, data);
        Sidecars sidecars = new Sidecars(ControllerConformanceTest::controller);
        Snapshot kept = sidecars.awaitReady(snapshot("snapshot-cfg-kept", volume, "bak"));
        Snapshot broken = sidecars.awaitReady(snapshot("snapshot-cfg-broken", volume, "bak"));
        String backup = broken.getSnapshotId().substring(broken.getSnapshotId().lastIndexOf('/') + 1);
        java.nio.file.Files.writeString(harness.dir.resolve("backups").resolve(
                io.strata.backupstore.format.StoreLayout.backupConfig(volume, backup)), "not a cfg");

        assertThat(controller().listSnapshots(ListSnapshotsRequest.newBuilder().setSourceVolumeId(volume).build()).getEntriesList())
                .extracting(e -> e.getSnapshot().getSnapshotId()).contains(kept.getSnapshotId()).doesNotContain(broken.getSnapshotId());
        assertThat(controller().listSnapshots(ListSnapshotsRequest.getDefaultInstance()).getEntriesList())
                .extracting(e -> e.getSnapshot().getSnapshotId()).contains(kept.getSnapshotId()).doesNotContain(broken.getSnapshotId());
    }
}
