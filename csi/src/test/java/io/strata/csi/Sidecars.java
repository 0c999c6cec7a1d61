package io.strata.csi;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.strata.csi.v1.ControllerGrpc;
import io.strata.csi.v1.ControllerPublishVolumeRequest;
import io.strata.csi.v1.ControllerPublishVolumeResponse;
import io.strata.csi.v1.ControllerUnpublishVolumeRequest;
import io.strata.csi.v1.CreateSnapshotRequest;
import io.strata.csi.v1.CreateVolumeRequest;
import io.strata.csi.v1.CapacityRange;
import io.strata.csi.v1.DeleteSnapshotRequest;
import io.strata.csi.v1.DeleteVolumeRequest;
import io.strata.csi.v1.ListSnapshotsRequest;
import io.strata.csi.v1.Snapshot;
import io.strata.csi.v1.Topology;
import io.strata.csi.v1.TopologyRequirement;
import io.strata.csi.v1.Volume;
import io.strata.csi.v1.VolumeCapability;
import io.strata.csi.v1.VolumeContentSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The calls the Kubernetes sidecars make, with the fields they fill in: external-provisioner
 * (CreateVolume, DeleteVolume), external-attacher (ControllerPublish/Unpublish) and
 * external-snapshotter (CreateSnapshot, repeated until ready; ListSnapshots for pre-provisioned
 * contents; DeleteSnapshot). Both sidecars run with {@code --extra-create-metadata}, and every call
 * carries the secrets its class names, as in a cluster.
 */
final class Sidecars {
    static final String NAMESPACE = "default";
    static final Map<String, String> PROVISIONER_SECRETS = Map.of("username", "provisioner", "password", "hunter2");
    static final Map<String, String> ATTACHER_SECRETS = Map.of("token", "attacher-token");
    static final Map<String, String> SNAPSHOTTER_SECRETS = Map.of("accessKey", "AKIA-EXAMPLE", "secretKey", "s3cr3t");
    /** Codes on which the sidecars call again with backoff: the operation may still be under way. */
    static final Set<Status.Code> RETRIED = Set.of(Status.Code.UNAVAILABLE, Status.Code.ABORTED, Status.Code.DEADLINE_EXCEEDED,
            Status.Code.RESOURCE_EXHAUSTED, Status.Code.CANCELLED);
    private static final int POLLS = 1000;
    private static final long POLL_MILLIS = 20;

    private final Supplier<ControllerGrpc.ControllerBlockingStub> controller;

    Sidecars(Supplier<ControllerGrpc.ControllerBlockingStub> controller) {
        this.controller = controller;
    }

    /** A mounted ext4 ReadWriteOnce PVC's capability, as the provisioner and the attacher send it. */
    static VolumeCapability readWriteOnce() {
        return VolumeCapability.newBuilder()
                .setMount(VolumeCapability.MountVolume.newBuilder().setFsType("ext4").addMountFlags("noatime"))
                .setAccessMode(VolumeCapability.AccessMode.newBuilder().setMode(VolumeCapability.AccessMode.Mode.SINGLE_NODE_WRITER))
                .build();
    }

    static Topology node(String node) {
        return Topology.newBuilder().putSegments("topology.strata.io/node", node).build();
    }

    // ---------------------------------------------------------------- external-provisioner

    /** CreateVolume for PVC {@code pvc} (uid {@code uid}) of {@code bytes}, scheduled on the harness's node. */
    static CreateVolumeRequest provisionRequest(String pvc, String uid, long bytes, Optional<VolumeContentSource> source) {
        CreateVolumeRequest.Builder request = CreateVolumeRequest.newBuilder()
                .setName("pvc-" + uid)
                .setCapacityRange(CapacityRange.newBuilder().setRequiredBytes(bytes))
                .addVolumeCapabilities(readWriteOnce())
                .putParameters("csi.storage.k8s.io/pvc/name", pvc)
                .putParameters("csi.storage.k8s.io/pvc/namespace", NAMESPACE)
                .putParameters("csi.storage.k8s.io/pv/name", "pvc-" + uid)
                .putAllSecrets(PROVISIONER_SECRETS)
                .setAccessibilityRequirements(TopologyRequirement.newBuilder()
                        .addRequisite(node(ControllerHarness.NODE)).addPreferred(node(ControllerHarness.NODE)));
        source.ifPresent(request::setVolumeContentSource);
        return request.build();
    }

    Volume provision(String pvc, String uid, long bytes, Optional<VolumeContentSource> source) {
        return controller.get().createVolume(provisionRequest(pvc, uid, bytes, source)).getVolume();
    }

    static VolumeContentSource fromSnapshot(String handle) {
        return VolumeContentSource.newBuilder()
                .setSnapshot(VolumeContentSource.SnapshotSource.newBuilder().setSnapshotId(handle)).build();
    }

    static VolumeContentSource fromVolume(String volumeId) {
        return VolumeContentSource.newBuilder()
                .setVolume(VolumeContentSource.VolumeSource.newBuilder().setVolumeId(volumeId)).build();
    }

    /** The PV is deleted (reclaim policy Delete). */
    void deleteVolume(String volumeId) {
        controller.get().deleteVolume(DeleteVolumeRequest.newBuilder().setVolumeId(volumeId)
                .putAllSecrets(PROVISIONER_SECRETS).build());
    }

    // ---------------------------------------------------------------- external-attacher

    static ControllerPublishVolumeRequest attachRequest(String volumeId, String node) {
        return ControllerPublishVolumeRequest.newBuilder().setVolumeId(volumeId).setNodeId(node)
                .setVolumeCapability(readWriteOnce()).setReadonly(false).putAllSecrets(ATTACHER_SECRETS).build();
    }

    /** Attaches the volume to the harness's node, calling again while the plugin says to retry (a restore runs). */
    ControllerPublishVolumeResponse attach(String volumeId) throws InterruptedException {
        ControllerPublishVolumeRequest request = attachRequest(volumeId, ControllerHarness.NODE);
        for (int i = 0; ; i++) {
            try {
                return controller.get().controllerPublishVolume(request);
            } catch (StatusRuntimeException e) {
                if (!RETRIED.contains(e.getStatus().getCode()) || i >= POLLS) {
                    throw e;
                }
                Thread.sleep(POLL_MILLIS);
            }
        }
    }

    void detach(String volumeId) {
        controller.get().controllerUnpublishVolume(ControllerUnpublishVolumeRequest.newBuilder().setVolumeId(volumeId)
                .setNodeId(ControllerHarness.NODE).putAllSecrets(ATTACHER_SECRETS).build());
    }

    // ---------------------------------------------------------------- external-snapshotter

    /**
     * CreateSnapshot for VolumeSnapshot {@code name} (uid {@code uid}) of a PVC bound to {@code volumeId},
     * with the class's parameters; the secret references in them are the sidecar's and are not sent.
     */
    static CreateSnapshotRequest snapshotRequest(String name, String uid, String volumeId, Map<String, String> classParameters) {
        Map<String, String> parameters = new HashMap<>();
        classParameters.forEach((k, v) -> {
            if (!k.startsWith("csi.storage.k8s.io/")) {
                parameters.put(k, v);
            }
        });
        parameters.put("csi.storage.k8s.io/volumesnapshot/name", name);
        parameters.put("csi.storage.k8s.io/volumesnapshot/namespace", NAMESPACE);
        parameters.put("csi.storage.k8s.io/volumesnapshotcontent/name", "snapcontent-" + uid);
        return CreateSnapshotRequest.newBuilder().setName("snapshot-" + uid).setSourceVolumeId(volumeId)
                .putAllParameters(parameters).putAllSecrets(SNAPSHOTTER_SECRETS).build();
    }

    Snapshot createSnapshot(CreateSnapshotRequest request) {
        return controller.get().createSnapshot(request).getSnapshot();
    }

    /**
     * What the snapshotter does until the content is ready: CreateSnapshot again, as long as it
     * answers not ready or a code it retries. A final error is thrown.
     */
    Snapshot awaitReady(CreateSnapshotRequest request) throws InterruptedException {
        for (int i = 0; ; i++) {
            try {
                Snapshot snapshot = createSnapshot(request);
                if (snapshot.getReadyToUse()) {
                    return snapshot;
                }
            } catch (StatusRuntimeException e) {
                if (!RETRIED.contains(e.getStatus().getCode())) {
                    throw e;
                }
            }
            if (i >= POLLS) {
                throw new AssertionError("snapshot " + request.getName() + " never became ready");
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    /** How the snapshotter checks a pre-provisioned content: ListSnapshots by its handle. */
    List<Snapshot> status(String handle) {
        return controller.get().listSnapshots(ListSnapshotsRequest.newBuilder().setSnapshotId(handle)
                .putAllSecrets(SNAPSHOTTER_SECRETS).build()).getEntriesList().stream()
                .map(io.strata.csi.v1.ListSnapshotsResponse.Entry::getSnapshot).toList();
    }

    /** The VolumeSnapshotContent is deleted with deletion policy Delete. */
    void deleteSnapshot(String handle) {
        controller.get().deleteSnapshot(DeleteSnapshotRequest.newBuilder().setSnapshotId(handle)
                .putAllSecrets(SNAPSHOTTER_SECRETS).build());
    }
}
