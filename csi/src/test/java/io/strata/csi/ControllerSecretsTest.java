package io.strata.csi;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import io.grpc.CallOptions;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.strata.csi.v1.CapacityRange;
import io.strata.csi.v1.ControllerExpandVolumeRequest;
import io.strata.csi.v1.ControllerGetVolumeRequest;
import io.strata.csi.v1.ControllerGrpc;
import io.strata.csi.v1.ControllerPublishVolumeRequest;
import io.strata.csi.v1.ControllerUnpublishVolumeRequest;
import io.strata.csi.v1.CreateSnapshotRequest;
import io.strata.csi.v1.CreateVolumeRequest;
import io.strata.csi.v1.DeleteSnapshotRequest;
import io.strata.csi.v1.DeleteVolumeRequest;
import io.strata.csi.v1.GetCapacityRequest;
import io.strata.csi.v1.ListSnapshotsRequest;
import io.strata.csi.v1.ListVolumesRequest;
import io.strata.csi.v1.TopologyRequirement;
import io.strata.csi.v1.ValidateVolumeCapabilitiesRequest;
import io.strata.csi.v1.ValidateVolumeCapabilitiesResponse;
import io.strata.csi.v1.VolumeCapability;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing a Controller request carries reaches the log, nor the message of an error answered: not
 * the secrets, nor parameters, contexts, mount flags, unknown fields or headers, nor a value that
 * failed validation. Two passes: every Controller RPC with the sentinel in every string (so every
 * id is one no volume can have, and each call fails early), and then each implemented RPC with
 * real ids and the sentinel in every other string, so that it runs its whole way to success.
 */
class ControllerSecretsTest {
    /** Not a Strata name (':' and ' '), like a secret pasted into an id field. */
    private static final String INVALID_SENTINEL = "SENTINEL: 3f9a1c0de52b7e44";
    /** Shaped like a name, for the fields that are not names. */
    private static final String SENTINEL = "SENTINEL-5eb63bbbe01eeed0";

    @RegisterExtension
    final LogCapture logs = new LogCapture();

    @TempDir
    Path dir;

    private ControllerHarness harness;
    private final List<String> answers = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        harness = ControllerHarness.start(dir);
    }

    @AfterEach
    void stop() throws Exception {
        harness.close();
    }

    private ControllerGrpc.ControllerBlockingStub controller() {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + SENTINEL);
        return harness.controller().withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    /** Calls, keeping what an error says: it must hold no sentinel either. */
    private void call(Supplier<? extends Message> rpc) {
        try {
            Message response = rpc.get();
            if (response instanceof ValidateVolumeCapabilitiesResponse validated && !validated.hasConfirmed()) {
                answers.add(validated.getMessage());
            }
        } catch (StatusRuntimeException e) {
            answers.add(e.getStatus().getCode() + ": " + e.getStatus().getDescription());
        }
    }

    private void assertNothingLeaked(String sentinel) {
        assertThat(logs.text()).doesNotContain(sentinel).doesNotContain(Sentinels.hex(sentinel));
        assertThat(answers).allSatisfy(answer -> assertThat(answer).doesNotContain(sentinel));
    }

    @Test
    void everyControllerRpcFilledWithTheSentinelLeaksNothing() {
        List<String> called = new ArrayList<>();
        for (MethodDescriptor<?, ?> method : ControllerGrpc.getServiceDescriptor().getMethods()) {
            call(() -> callFilled(method));
            called.add(method.getBareMethodName());
        }
        assertThat(called).containsExactlyInAnyOrder("CreateVolume", "DeleteVolume", "ControllerPublishVolume",
                "ControllerUnpublishVolume", "ValidateVolumeCapabilities", "ListVolumes", "GetCapacity", "ControllerGetCapabilities",
                "CreateSnapshot", "DeleteSnapshot", "ListSnapshots", "GetSnapshot", "ControllerExpandVolume", "ControllerGetVolume",
                "ControllerModifyVolume");
        assertThat(logs.events(RpcLogInterceptor.LOGGER_NAME)).as("the capture saw the calls").hasSize(called.size());
        assertThat(answers).as("most fail: their ids name nothing").hasSizeGreaterThan(8);
        assertNothingLeaked(INVALID_SENTINEL);
    }

    @SuppressWarnings("unchecked") // every CSI method has a protobuf request with a prototype
    private <Q, R> Message callFilled(MethodDescriptor<Q, R> method) {
        Q prototype = ((MethodDescriptor.PrototypeMarshaller<Q>) method.getRequestMarshaller()).getMessagePrototype();
        Q request = (Q) Sentinels.fill((Message) prototype, INVALID_SENTINEL);
        return (Message) ClientCalls.blockingUnaryCall(harness.client.channel(), method,
                CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS), request);
    }

    @Test
    void everyImplementedRpcRunToSuccessWithTheSentinelInEveryOtherFieldLeaksNothing() throws Exception {
        VolumeCapability capability = Sentinels.fill(Sidecars.readWriteOnce(), SENTINEL).toBuilder()
                .setMount(Sidecars.readWriteOnce().getMount().toBuilder().setVolumeMountGroup("").addMountFlags(SENTINEL))
                .setAccessMode(Sidecars.readWriteOnce().getAccessMode()).build();
        TopologyRequirement here = TopologyRequirement.newBuilder().addRequisite(Sidecars.node(ControllerHarness.NODE)).build();
        CreateVolumeRequest create = fill(CreateVolumeRequest.getDefaultInstance()).toBuilder().setName("pvc-secret")
                .setCapacityRange(CapacityRange.newBuilder().setRequiredBytes(8 << 20)).clearVolumeCapabilities()
                .addVolumeCapabilities(capability).setAccessibilityRequirements(here).clearVolumeContentSource().build();
        String volume = controller().createVolume(create).getVolume().getVolumeId();
        harness.write(volume, new byte[1 << 20]);
        controller().createVolume(create);

        call(() -> controller().validateVolumeCapabilities(fill(ValidateVolumeCapabilitiesRequest.getDefaultInstance()).toBuilder()
                .setVolumeId(volume).clearVolumeCapabilities().addVolumeCapabilities(capability).build()));
        call(() -> controller().controllerPublishVolume(fill(ControllerPublishVolumeRequest.getDefaultInstance()).toBuilder()
                .setVolumeId(volume).setNodeId(ControllerHarness.NODE).setVolumeCapability(capability).build()));
        call(() -> controller().controllerGetVolume(fill(ControllerGetVolumeRequest.getDefaultInstance()).toBuilder().setVolumeId(volume).build()));
        call(() -> controller().listVolumes(fill(ListVolumesRequest.getDefaultInstance()).toBuilder().clearStartingToken().build()));
        call(() -> controller().getCapacity(fill(GetCapacityRequest.getDefaultInstance()).toBuilder().clearVolumeCapabilities()
                .addVolumeCapabilities(capability).setAccessibleTopology(Sidecars.node(ControllerHarness.NODE)).build()));
        call(() -> controller().controllerExpandVolume(fill(ControllerExpandVolumeRequest.getDefaultInstance()).toBuilder()
                .setVolumeId(volume).setCapacityRange(CapacityRange.newBuilder().setRequiredBytes(16 << 20)).setVolumeCapability(capability).build()));

        List<String> handles = new ArrayList<>();
        for (String type : List.of("bak", "ss")) {
            CreateSnapshotRequest snapshot = fill(CreateSnapshotRequest.getDefaultInstance()).toBuilder().setName("snapshot-secret-" + type)
                    .setSourceVolumeId(volume).putParameters("type", type).build();
            handles.add(new Sidecars(this::controller).awaitReady(snapshot).getSnapshotId());
        }
        for (String handle : handles) {
            call(() -> controller().listSnapshots(fill(ListSnapshotsRequest.getDefaultInstance()).toBuilder().clearStartingToken()
                    .setSnapshotId(handle).setSourceVolumeId(volume).build()));
            String restored = "pvc-from-" + handle.substring(0, handle.indexOf(':'));
            call(() -> controller().createVolume(create.toBuilder().setName(restored).setCapacityRange(CapacityRange.newBuilder()
                    .setRequiredBytes(16 << 20)).setVolumeContentSource(Sidecars.fromSnapshot(handle)).build()));
            new Sidecars(this::controller).attach(restored); // once restored, its backup may go
            call(() -> controller().deleteSnapshot(fill(DeleteSnapshotRequest.getDefaultInstance()).toBuilder().setSnapshotId(handle).build()));
        }
        call(() -> controller().controllerUnpublishVolume(fill(ControllerUnpublishVolumeRequest.getDefaultInstance()).toBuilder()
                .setVolumeId(volume).setNodeId(ControllerHarness.NODE).build()));
        call(() -> controller().deleteVolume(fill(DeleteVolumeRequest.getDefaultInstance()).toBuilder().setVolumeId(volume).build()));
        assertThat(answers).as("all of these succeed").isEmpty();

        // values that fail validation are refused without being repeated
        CreateSnapshotRequest snapshot = CreateSnapshotRequest.newBuilder().setName("snapshot-bad").setSourceVolumeId(volume).build();
        call(() -> controller().createSnapshot(snapshot.toBuilder().putParameters("type", SENTINEL).build()));
        call(() -> controller().createSnapshot(snapshot.toBuilder().putParameters("backupMode", SENTINEL).build()));
        call(() -> controller().createVolume(create.toBuilder().setName("pvc-bad").setVolumeCapabilities(0, capability.toBuilder()
                .setMount(capability.getMount().toBuilder().setFsType(SENTINEL))).build()));
        call(() -> controller().createVolume(create.toBuilder().setName("pvc-bad").setVolumeContentSource(Sidecars.fromSnapshot(SENTINEL)).build()));
        call(() -> controller().deleteSnapshot(DeleteSnapshotRequest.newBuilder().setSnapshotId(SENTINEL).build())); // names nothing: OK
        call(() -> controller().listVolumes(ListVolumesRequest.newBuilder().setStartingToken(SENTINEL).build()));
        call(() -> controller().listSnapshots(ListSnapshotsRequest.newBuilder().setStartingToken(SENTINEL).build()));
        assertThat(answers).hasSize(6);
        assertNothingLeaked(SENTINEL);
    }

    private static <M extends Message> M fill(M prototype) {
        return Sentinels.fill(prototype, SENTINEL);
    }
}
