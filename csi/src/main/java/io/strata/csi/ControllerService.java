package io.strata.csi;

import com.google.protobuf.Int64Value;
import io.grpc.stub.StreamObserver;
import io.strata.control.SnapshotService;
import io.strata.control.SnapshotService.SnapshotView;
import io.strata.control.VolumeService;
import io.strata.control.VolumeService.Source;
import io.strata.control.VolumeService.VolumeView;
import io.strata.csi.v1.ControllerExpandVolumeRequest;
import io.strata.csi.v1.ControllerExpandVolumeResponse;
import io.strata.csi.v1.ControllerGetCapabilitiesRequest;
import io.strata.csi.v1.ControllerGetCapabilitiesResponse;
import io.strata.csi.v1.ControllerGetVolumeRequest;
import io.strata.csi.v1.ControllerGetVolumeResponse;
import io.strata.csi.v1.ControllerGrpc;
import io.strata.csi.v1.ControllerPublishVolumeRequest;
import io.strata.csi.v1.ControllerPublishVolumeResponse;
import io.strata.csi.v1.ControllerServiceCapability;
import io.strata.csi.v1.ControllerServiceCapability.RPC.Type;
import io.strata.csi.v1.ControllerUnpublishVolumeRequest;
import io.strata.csi.v1.ControllerUnpublishVolumeResponse;
import io.strata.csi.v1.CreateSnapshotRequest;
import io.strata.csi.v1.CreateSnapshotResponse;
import io.strata.csi.v1.CreateVolumeRequest;
import io.strata.csi.v1.CreateVolumeResponse;
import io.strata.csi.v1.DeleteSnapshotRequest;
import io.strata.csi.v1.DeleteSnapshotResponse;
import io.strata.csi.v1.DeleteVolumeRequest;
import io.strata.csi.v1.DeleteVolumeResponse;
import io.strata.csi.v1.GetCapacityRequest;
import io.strata.csi.v1.GetCapacityResponse;
import io.strata.csi.v1.ListSnapshotsRequest;
import io.strata.csi.v1.ListSnapshotsResponse;
import io.strata.csi.v1.ListVolumesRequest;
import io.strata.csi.v1.ListVolumesResponse;
import io.strata.csi.v1.ValidateVolumeCapabilitiesRequest;
import io.strata.csi.v1.ValidateVolumeCapabilitiesResponse;
import io.strata.csi.v1.VolumeContentSource;
import io.strata.domain.SnapshotHandle;
import io.strata.domain.SnapshotName;
import io.strata.domain.StrataException;
import io.strata.domain.VolumeName;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CSI Controller service: volumes and snapshots as the external-provisioner, -attacher,
 * -resizer and -snapshotter ask for them, translated to {@link VolumeService} and
 * {@link SnapshotService}. Every handler goes the same way: check capabilities and required
 * fields, lock the volume ({@link VolumeLocks}), then let control look the name up (same request,
 * same answer; a different one, ALREADY_EXISTS), act and persist, and answer. Decisions about
 * volumes, snapshots and backups are control's; errors are mapped by {@link GrpcErrors}.
 *
 * <p>Volume ids are volume names; snapshot ids are handles ({@code bak://VOLUME/BACKUP},
 * {@code ss://} or {@code snap://VOLUME/SNAPSHOT}). Messages repeat only values that passed
 * validation as names, never a secret, a parameter or a value that failed (see {@link CsiNames}).
 * ControllerModifyVolume and GetSnapshot are not offered: they answer UNIMPLEMENTED.
 */
public final class ControllerService extends ControllerGrpc.ControllerImplBase {

    /** Publish context: the name of the NBD export that serves the volume to its node. */
    public static final String EXPORT_KEY = "strata.io/export";

    private static final Logger LOG = LoggerFactory.getLogger(ControllerService.class);
    private static final ControllerGetCapabilitiesResponse CAPABILITIES = capabilities(Type.CREATE_DELETE_VOLUME,
            Type.PUBLISH_UNPUBLISH_VOLUME, Type.LIST_VOLUMES, Type.GET_CAPACITY, Type.CREATE_DELETE_SNAPSHOT,
            Type.LIST_SNAPSHOTS, Type.CLONE_VOLUME, Type.PUBLISH_READONLY, Type.EXPAND_VOLUME,
            Type.LIST_VOLUMES_PUBLISHED_NODES, Type.GET_VOLUME, Type.SINGLE_NODE_MULTI_WRITER);

    private final VolumeService volumes;
    private final SnapshotService snapshots;
    private final String nodeId;
    private final VolumeLocks locks = new VolumeLocks();

    /**
     * @param nodeId the node this server's volumes live on, as the Node service reports it
     * @throws IllegalArgumentException when {@code nodeId} cannot be a topology label value
     */
    public ControllerService(VolumeService volumes, SnapshotService snapshots, String nodeId) {
        this.volumes = Objects.requireNonNull(volumes, "volumes");
        this.snapshots = Objects.requireNonNull(snapshots, "snapshots");
        this.nodeId = Topologies.checkNodeId(nodeId);
    }

    // ---------------------------------------------------------------- volumes

    @Override
    public void createVolume(CreateVolumeRequest request, StreamObserver<CreateVolumeResponse> observer) {
        Rpc.unary(observer, () -> {
            VolumeName name = CsiNames.newVolume(request.getName());
            Capabilities.requireAll(request.getVolumeCapabilitiesList(), "volume_capabilities");
            long required = request.getCapacityRange().getRequiredBytes();
            long limit = request.getCapacityRange().getLimitBytes();
            if (required < 0 || limit < 0) {
                throw new StrataException.InvalidArgument("capacity_range must not hold negative sizes");
            }
            Topologies.requireReachable(request.getAccessibilityRequirements(), nodeId);
            Source source = source(request.getVolumeContentSource());
            String sourceVolume = switch (source) {
                case Source.Empty e -> name.value();
                case Source.OfVolume v -> v.volume().value();
                case Source.OfSnapshot s -> handleVolume(s.handle());
            };
            try (VolumeLocks.Held held = locks.acquire(VolumeLocks.volume(name.value()), VolumeLocks.volume(sourceVolume))) {
                VolumeView view = volumes.create(name, required, limit, source);
                LOG.info("volume {} of {} bytes is provisioned{}", name, view.info().size(),
                        view.source().isEmpty() ? "" : " from " + view.source());
                io.strata.csi.v1.Volume.Builder volume = CsiMessages.volume(view, nodeId).toBuilder().clearContentSource();
                if (request.hasVolumeContentSource()) {
                    volume.setContentSource(request.getVolumeContentSource()); // echoed, as the spec asks
                }
                return CreateVolumeResponse.newBuilder().setVolume(volume).build();
            }
        });
    }

    /** What a new volume is filled from; a source that cannot exist here is NOT_FOUND, as one that does not. */
    private static Source source(VolumeContentSource source) {
        return switch (source.getTypeCase()) {
            case TYPE_NOT_SET -> new Source.Empty();
            case SNAPSHOT -> {
                String id = CsiNames.required(source.getSnapshot().getSnapshotId(), "volume_content_source.snapshot.snapshot_id");
                yield new Source.OfSnapshot(handle(id).orElseThrow(() -> new StrataException.NotFound(
                        "volume_content_source.snapshot.snapshot_id names no snapshot: Strata's look like bak://VOLUME/BACKUP"
                                + " or ss://VOLUME/SNAPSHOT")));
            }
            case VOLUME -> {
                String id = CsiNames.required(source.getVolume().getVolumeId(), "volume_content_source.volume.volume_id");
                yield new Source.OfVolume(CsiNames.volumeId(id).orElseThrow(() -> new StrataException.NotFound(
                        "volume_content_source.volume.volume_id names no volume of this plugin")));
            }
        };
    }

    @Override
    public void deleteVolume(DeleteVolumeRequest request, StreamObserver<DeleteVolumeResponse> observer) {
        Rpc.unary(observer, () -> {
            Optional<VolumeName> name = CsiNames.volumeId(CsiNames.required(request.getVolumeId(), "volume_id"));
            if (name.isPresent()) { // an id that is not a Strata name names nothing: deleting nothing succeeds
                try (VolumeLocks.Held held = locks.acquire(VolumeLocks.volume(name.get().value()))) {
                    volumes.delete(name.get());
                    LOG.info("volume {} is deleted", name.get());
                }
            }
            return DeleteVolumeResponse.getDefaultInstance();
        });
    }

    @Override
    public void controllerPublishVolume(ControllerPublishVolumeRequest request,
                                        StreamObserver<ControllerPublishVolumeResponse> observer) {
        Rpc.unary(observer, () -> {
            String id = CsiNames.required(request.getVolumeId(), "volume_id");
            String node = CsiNames.required(request.getNodeId(), "node_id");
            Capabilities.requirePresent(request.hasVolumeCapability(), request.getVolumeCapability(), "volume_capability");
            VolumeName name = CsiNames.existingVolume(id);
            if (!node.equals(nodeId)) {
                // The node id is not repeated: it failed to name a node, and may be anything.
                throw new StrataException.NotFound("node_id names no node of this plugin: its volumes are served on node '"
                        + nodeId + "'");
            }
            boolean readOnly = request.getReadonly() || Capabilities.readOnly(request.getVolumeCapability());
            try (VolumeLocks.Held held = locks.acquire(VolumeLocks.volume(name.value()))) {
                volumes.publish(name, node, readOnly); // UNAVAILABLE until a restore or clone into it is complete
                return ControllerPublishVolumeResponse.newBuilder().putPublishContext(EXPORT_KEY, name.value()).build();
            }
        });
    }

    @Override
    public void controllerUnpublishVolume(ControllerUnpublishVolumeRequest request,
                                          StreamObserver<ControllerUnpublishVolumeResponse> observer) {
        Rpc.unary(observer, () -> {
            Optional<VolumeName> name = CsiNames.volumeId(CsiNames.required(request.getVolumeId(), "volume_id"));
            if (name.isPresent()) {
                try (VolumeLocks.Held held = locks.acquire(VolumeLocks.volume(name.get().value()))) {
                    volumes.unpublish(name.get(), request.getNodeId()); // an empty node: from every node
                }
            }
            return ControllerUnpublishVolumeResponse.getDefaultInstance();
        });
    }

    @Override
    public void validateVolumeCapabilities(ValidateVolumeCapabilitiesRequest request,
                                           StreamObserver<ValidateVolumeCapabilitiesResponse> observer) {
        Rpc.unary(observer, () -> {
            String id = CsiNames.required(request.getVolumeId(), "volume_id");
            if (request.getVolumeCapabilitiesCount() == 0) {
                throw new StrataException.InvalidArgument("volume_capabilities is required");
            }
            view(CsiNames.existingVolume(id));
            List<String> refused = new ArrayList<>();
            for (int i = 0; i < request.getVolumeCapabilitiesCount(); i++) {
                int index = i;
                Capabilities.whyNot(request.getVolumeCapabilities(i)).ifPresent(why -> refused.add("volume_capabilities["
                        + index + "]: " + why));
            }
            if (!refused.isEmpty()) {
                return ValidateVolumeCapabilitiesResponse.newBuilder().setMessage(String.join("; ", refused)).build();
            }
            // Strata has no volume parameters: those given were ignored when the volume was made, so
            // they hold. Mutable parameters are not supported and are not confirmed.
            return ValidateVolumeCapabilitiesResponse.newBuilder().setConfirmed(
                    ValidateVolumeCapabilitiesResponse.Confirmed.newBuilder()
                            .putAllVolumeContext(request.getVolumeContextMap())
                            .addAllVolumeCapabilities(request.getVolumeCapabilitiesList())
                            .putAllParameters(request.getParametersMap())).build();
        });
    }

    @Override
    public void listVolumes(ListVolumesRequest request, StreamObserver<ListVolumesResponse> observer) {
        Rpc.unary(observer, () -> {
            Paging.Page<VolumeView> page = Paging.page(volumes.list(), v -> v.info().name().value(), request.getMaxEntries(),
                    request.getStartingToken(), key -> CsiNames.volumeId(key).isPresent());
            ListVolumesResponse.Builder response = ListVolumesResponse.newBuilder().setNextToken(page.nextToken());
            for (VolumeView view : page.entries()) {
                ListVolumesResponse.VolumeStatus.Builder status = ListVolumesResponse.VolumeStatus.newBuilder();
                view.attachment().ifPresent(a -> status.addPublishedNodeIds(a.node()));
                response.addEntries(ListVolumesResponse.Entry.newBuilder().setVolume(CsiMessages.volume(view, nodeId))
                        .setStatus(status));
            }
            return response.build();
        });
    }

    @Override
    public void controllerGetVolume(ControllerGetVolumeRequest request, StreamObserver<ControllerGetVolumeResponse> observer) {
        Rpc.unary(observer, () -> {
            VolumeView view = view(CsiNames.existingVolume(CsiNames.required(request.getVolumeId(), "volume_id")));
            ControllerGetVolumeResponse.VolumeStatus.Builder status = ControllerGetVolumeResponse.VolumeStatus.newBuilder();
            view.attachment().ifPresent(a -> status.addPublishedNodeIds(a.node()));
            return ControllerGetVolumeResponse.newBuilder().setVolume(CsiMessages.volume(view, nodeId)).setStatus(status).build();
        });
    }

    @Override
    public void getCapacity(GetCapacityRequest request, StreamObserver<GetCapacityResponse> observer) {
        Rpc.unary(observer, () -> {
            boolean servable = request.getVolumeCapabilitiesList().stream().allMatch(c -> Capabilities.whyNot(c).isEmpty())
                    && (!request.hasAccessibleTopology() || Topologies.admits(request.getAccessibleTopology(), nodeId));
            if (!servable) {
                return GetCapacityResponse.newBuilder().setAvailableCapacity(0).build();
            }
            // volumes are thin: free space bounds what they hold in all, not how large one may be
            return GetCapacityResponse.newBuilder().setAvailableCapacity(volumes.capacity())
                    .setMaximumVolumeSize(Int64Value.of(volumes.largestVolume())).build();
        });
    }

    @Override
    public void controllerGetCapabilities(ControllerGetCapabilitiesRequest request,
                                          StreamObserver<ControllerGetCapabilitiesResponse> observer) {
        Rpc.unary(observer, () -> CAPABILITIES);
    }

    @Override
    public void controllerExpandVolume(ControllerExpandVolumeRequest request,
                                       StreamObserver<ControllerExpandVolumeResponse> observer) {
        Rpc.unary(observer, () -> {
            String id = CsiNames.required(request.getVolumeId(), "volume_id");
            long required = request.getCapacityRange().getRequiredBytes();
            long limit = request.getCapacityRange().getLimitBytes();
            if (required < 0 || limit < 0 || (required == 0 && limit == 0)) {
                throw new StrataException.InvalidArgument("capacity_range is required, with the new size in required_bytes");
            }
            if (request.hasVolumeCapability()) {
                Capabilities.require(request.getVolumeCapability(), "volume_capability");
            }
            VolumeName name = CsiNames.existingVolume(id);
            try (VolumeLocks.Held held = locks.acquire(VolumeLocks.volume(name.value()))) {
                long size = volumes.expand(name, required, limit);
                LOG.info("volume {} is {} bytes", name, size);
                // the node grows what it staged: the loop device's limit, then the filesystem (none for block)
                return ControllerExpandVolumeResponse.newBuilder().setCapacityBytes(size).setNodeExpansionRequired(true).build();
            }
        });
    }

    // ---------------------------------------------------------------- snapshots

    @Override
    public void createSnapshot(CreateSnapshotRequest request, StreamObserver<CreateSnapshotResponse> observer) {
        Rpc.unary(observer, () -> {
            String sourceId = CsiNames.required(request.getSourceVolumeId(), "source_volume_id");
            SnapshotName name = CsiNames.newSnapshot(request.getName());
            SnapshotParameters parameters = SnapshotParameters.parse(request.getParametersMap());
            VolumeName source = CsiNames.volumeId(sourceId).orElseThrow(() -> new StrataException.NotFound(
                    "source_volume_id names no volume of this plugin"));
            try (VolumeLocks.Held held = locks.acquire(VolumeLocks.volume(source.value()), "snapshot " + name)) {
                SnapshotView view = snapshots.create(name, source, parameters.kind(), parameters.full(), parameters.blockSize(),
                        parameters.labels());
                if (view.error().isPresent()) {
                    // final for the snapshotter: retrying the same snapshot will not mend it
                    throw new StrataException.FailedPrecondition(view.error().get() + "; delete this VolumeSnapshot and take"
                            + " a new one");
                }
                return CreateSnapshotResponse.newBuilder().setSnapshot(CsiMessages.snapshot(view)).build();
            }
        });
    }

    @Override
    public void deleteSnapshot(DeleteSnapshotRequest request, StreamObserver<DeleteSnapshotResponse> observer) {
        Rpc.unary(observer, () -> {
            String id = CsiNames.required(request.getSnapshotId(), "snapshot_id");
            // An id that is no Strata handle names no snapshot, and deleting what does not exist
            // succeeds: INVALID_ARGUMENT here would have the snapshotter retry it forever.
            Optional<SnapshotHandle> handle = handle(id);
            if (handle.isPresent()) {
                try (VolumeLocks.Held held = locks.acquire(VolumeLocks.volume(handleVolume(handle.get())))) {
                    snapshots.delete(handle.get()); // UNAVAILABLE while its backup is made or restored from, or a clone copies it
                    LOG.info("snapshot {} is deleted", handle.get().value());
                }
            }
            return DeleteSnapshotResponse.getDefaultInstance();
        });
    }

    @Override
    public void listSnapshots(ListSnapshotsRequest request, StreamObserver<ListSnapshotsResponse> observer) {
        Rpc.unary(observer, () -> {
            // a backup whose cfg cannot be read is no snapshot a VolumeSnapshot can use or wait for: left out, not an error
            List<SnapshotView> usable = listed(request).stream().filter(v -> !v.broken()).toList();
            Paging.Page<SnapshotView> page = Paging.page(usable, v -> v.handle().value(), request.getMaxEntries(),
                    request.getStartingToken(), key -> handle(key).isPresent());
            ListSnapshotsResponse.Builder response = ListSnapshotsResponse.newBuilder().setNextToken(page.nextToken());
            page.entries().forEach(v -> response.addEntries(ListSnapshotsResponse.Entry.newBuilder()
                    .setSnapshot(CsiMessages.snapshot(v))));
            return response.build();
        });
    }

    /**
     * The snapshots a ListSnapshots request selects. An id or volume that cannot exist selects none,
     * as one that does not exist: the spec's answer is an empty list, so that a wrong handle on a
     * pre-provisioned VolumeSnapshotContent is never marked ready.
     */
    private List<SnapshotView> listed(ListSnapshotsRequest request) throws IOException {
        String volume = request.getSourceVolumeId();
        if (!request.getSnapshotId().isEmpty()) {
            Optional<SnapshotHandle> handle = handle(request.getSnapshotId());
            Optional<SnapshotView> found = handle.isPresent() ? snapshots.find(handle.get()) : Optional.empty();
            return found.filter(v -> volume.isEmpty() || v.sourceVolume().equals(volume)).stream().toList();
        }
        if (!volume.isEmpty()) {
            Optional<VolumeName> name = CsiNames.volumeId(volume);
            return name.isPresent() ? snapshots.listByVolume(name.get()) : List.of();
        }
        return snapshots.listAll();
    }

    // ---------------------------------------------------------------- helpers

    private VolumeView view(VolumeName name) throws IOException {
        return volumes.view(name).orElseThrow(() -> new StrataException.NotFound("volume '" + name + "' does not exist"));
    }

    /** The handle {@code id} is, or empty when it is none: the caller says what that means for its request. */
    private static Optional<SnapshotHandle> handle(String id) {
        try {
            return Optional.of(SnapshotHandle.parse(id));
        } catch (StrataException.InvalidArgument notAHandle) {
            return Optional.empty();
        }
    }

    /** The volume a snapshot or backup belongs to: the one its calls lock. */
    private static String handleVolume(SnapshotHandle handle) {
        return switch (handle) {
            case SnapshotHandle.Snapshot s -> s.volume().value();
            case SnapshotHandle.Backup b -> b.volume();
        };
    }

    private static ControllerGetCapabilitiesResponse capabilities(Type... types) {
        ControllerGetCapabilitiesResponse.Builder response = ControllerGetCapabilitiesResponse.newBuilder();
        for (Type type : types) {
            response.addCapabilities(ControllerServiceCapability.newBuilder()
                    .setRpc(ControllerServiceCapability.RPC.newBuilder().setType(type)));
        }
        return response.build();
    }
}
