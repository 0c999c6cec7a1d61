package io.strata.csi;

import io.grpc.stub.StreamObserver;
import io.strata.control.VolumeService;
import io.strata.control.VolumeService.VolumeView;
import io.strata.csi.node.NodeHost;
import io.strata.csi.node.PublishSpec;
import io.strata.csi.node.StageSpec;
import io.strata.csi.node.VolumeStats;
import io.strata.csi.v1.NodeExpandVolumeRequest;
import io.strata.csi.v1.NodeExpandVolumeResponse;
import io.strata.csi.v1.NodeGetCapabilitiesRequest;
import io.strata.csi.v1.NodeGetCapabilitiesResponse;
import io.strata.csi.v1.NodeGetInfoRequest;
import io.strata.csi.v1.NodeGetInfoResponse;
import io.strata.csi.v1.NodeGetVolumeStatsRequest;
import io.strata.csi.v1.NodeGetVolumeStatsResponse;
import io.strata.csi.v1.NodeGrpc;
import io.strata.csi.v1.NodePublishVolumeRequest;
import io.strata.csi.v1.NodePublishVolumeResponse;
import io.strata.csi.v1.NodeServiceCapability;
import io.strata.csi.v1.NodeServiceCapability.RPC.Type;
import io.strata.csi.v1.NodeStageVolumeRequest;
import io.strata.csi.v1.NodeStageVolumeResponse;
import io.strata.csi.v1.NodeUnpublishVolumeRequest;
import io.strata.csi.v1.NodeUnpublishVolumeResponse;
import io.strata.csi.v1.NodeUnstageVolumeRequest;
import io.strata.csi.v1.NodeUnstageVolumeResponse;
import io.strata.csi.v1.VolumeCapability;
import io.strata.csi.v1.VolumeCondition;
import io.strata.csi.v1.VolumeUsage;
import io.strata.domain.StrataException;
import io.strata.domain.VolumeName;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The CSI Node service: a volume of this server staged on this node (its NBD export attached as a
 * block device, its filesystem made on first use and mounted), published to workloads, grown, and
 * watched. Every handler checks its request, locks the volume ({@link VolumeLocks}, ABORTED when a
 * call on it is running), asks control whether the volume exists (NOT_FOUND otherwise), and hands
 * the work to {@link NodeHost}. See {@code docs/csi-node.md}.
 *
 * <p>Paths must be absolute (INVALID_ARGUMENT otherwise, but for the {@code volume_path} of stats and
 * expansion: no volume is at a relative path, so NOT_FOUND); messages repeat a path only once it has
 * passed that check, never a secret or a value that failed. Failures of OS programs are INTERNAL with what the program said.
 */
public final class NodeService extends NodeGrpc.NodeImplBase {

    private static final NodeGetCapabilitiesResponse CAPABILITIES = capabilities(Type.STAGE_UNSTAGE_VOLUME,
            Type.GET_VOLUME_STATS, Type.EXPAND_VOLUME, Type.VOLUME_CONDITION, Type.SINGLE_NODE_MULTI_WRITER);

    private final VolumeService volumes;
    private final NodeHost host;
    private final String nodeId;
    private final VolumeLocks locks = new VolumeLocks();

    public NodeService(VolumeService volumes, NodeHost host) {
        this.volumes = Objects.requireNonNull(volumes, "volumes");
        this.host = Objects.requireNonNull(host, "host");
        this.nodeId = Topologies.checkNodeId(host.config().nodeId());
    }

    @Override
    public void nodeStageVolume(NodeStageVolumeRequest request, StreamObserver<NodeStageVolumeResponse> observer) {
        Rpc.unary(observer, () -> {
            String id = CsiNames.required(request.getVolumeId(), "volume_id");
            Path stagingPath = absolute(request.getStagingTargetPath(), "staging_target_path");
            VolumeCapability capability = Capabilities.requirePresent(request.hasVolumeCapability(), request.getVolumeCapability(), "volume_capability");
            VolumeName name = CsiNames.existingVolume(id);
            String export = request.getPublishContextMap().getOrDefault(ControllerService.EXPORT_KEY, name.value());
            if (!export.equals(name.value())) {
                throw new StrataException.InvalidArgument("publish_context " + ControllerService.EXPORT_KEY + " names another"
                        + " volume than volume_id: pass the publish context ControllerPublishVolume returned for this volume");
            }
            try (VolumeLocks.Held held = locks.acquire(VolumeLocks.volume(name.value()))) {
                VolumeView view = view(name);
                VolumeService.Attachment attachment = view.attachment().filter(a -> a.node().equals(nodeId))
                        .orElseThrow(() -> new StrataException.FailedPrecondition("volume '" + name + "' is not attached to node '"
                                + nodeId + "'" + view.attachment().map(a -> " but to node '" + a.node() + "'").orElse("")
                                + ": ControllerPublishVolume it to this node first"));
                boolean readOnly = attachment.readOnly() || Capabilities.readOnly(capability);
                boolean block = Capabilities.isBlock(capability);
                host.stage(new StageSpec(name.value(), export, stagingPath, block,
                        block ? "" : capability.getMount().getFsType(),
                        block ? java.util.List.of() : capability.getMount().getMountFlagsList(), readOnly,
                        view.info().size(), view.info().allocatedBytes() == 0));
                return NodeStageVolumeResponse.getDefaultInstance();
            }
        });
    }

    @Override
    public void nodeUnstageVolume(NodeUnstageVolumeRequest request, StreamObserver<NodeUnstageVolumeResponse> observer) {
        Rpc.unary(observer, () -> {
            String id = CsiNames.required(request.getVolumeId(), "volume_id");
            Path stagingPath = absolute(request.getStagingTargetPath(), "staging_target_path");
            VolumeName name = CsiNames.existingVolume(id);
            try (VolumeLocks.Held held = locks.acquire(VolumeLocks.volume(name.value()))) {
                if (!host.unstage(name.value(), stagingPath)) {
                    requireKnown(name); // not staged there: done, if the volume is one at all
                }
                return NodeUnstageVolumeResponse.getDefaultInstance();
            }
        });
    }

    @Override
    public void nodePublishVolume(NodePublishVolumeRequest request, StreamObserver<NodePublishVolumeResponse> observer) {
        Rpc.unary(observer, () -> {
            String id = CsiNames.required(request.getVolumeId(), "volume_id");
            Path targetPath = absolute(request.getTargetPath(), "target_path");
            VolumeCapability capability = Capabilities.requirePresent(request.hasVolumeCapability(), request.getVolumeCapability(), "volume_capability");
            if (request.getStagingTargetPath().isEmpty()) {
                throw new StrataException.FailedPrecondition("staging_target_path is required: this plugin stages volumes,"
                        + " so NodeStageVolume comes first and its path comes here");
            }
            Path stagingPath = absolute(request.getStagingTargetPath(), "staging_target_path");
            VolumeName name = CsiNames.existingVolume(id);
            try (VolumeLocks.Held held = locks.acquire(VolumeLocks.volume(name.value()))) {
                view(name);
                boolean readOnly = request.getReadonly() || Capabilities.readOnly(capability);
                boolean singleWriter = capability.getAccessMode().getMode()
                        == VolumeCapability.AccessMode.Mode.SINGLE_NODE_SINGLE_WRITER;
                host.publish(new PublishSpec(name.value(), stagingPath, targetPath, Capabilities.isBlock(capability), readOnly,
                        singleWriter));
                return NodePublishVolumeResponse.getDefaultInstance();
            }
        });
    }

    @Override
    public void nodeUnpublishVolume(NodeUnpublishVolumeRequest request, StreamObserver<NodeUnpublishVolumeResponse> observer) {
        Rpc.unary(observer, () -> {
            String id = CsiNames.required(request.getVolumeId(), "volume_id");
            Path targetPath = absolute(request.getTargetPath(), "target_path");
            VolumeName name = CsiNames.existingVolume(id);
            try (VolumeLocks.Held held = locks.acquire(VolumeLocks.volume(name.value()))) {
                if (!host.unpublish(name.value(), targetPath)) {
                    requireKnown(name);
                }
                return NodeUnpublishVolumeResponse.getDefaultInstance();
            }
        });
    }

    /** Not locked: the kubelet asks often, and a call in flight on the volume must not make it fail. */
    @Override
    public void nodeGetVolumeStats(NodeGetVolumeStatsRequest request, StreamObserver<NodeGetVolumeStatsResponse> observer) {
        Rpc.unary(observer, () -> {
            String id = CsiNames.required(request.getVolumeId(), "volume_id");
            Path volumePath = whereAVolumeCanBe(CsiNames.required(request.getVolumePath(), "volume_path"));
            VolumeName name = CsiNames.existingVolume(id);
            requireKnown(name);
            VolumeStats stats = host.stats(name.value(), volumePath);
            NodeGetVolumeStatsResponse.Builder response = NodeGetVolumeStatsResponse.newBuilder();
            stats.bytes().ifPresent(u -> response.addUsage(usage(u, VolumeUsage.Unit.BYTES)));
            stats.inodes().ifPresent(u -> response.addUsage(usage(u, VolumeUsage.Unit.INODES)));
            response.setVolumeCondition(VolumeCondition.newBuilder().setAbnormal(stats.abnormal().isPresent())
                    .setMessage(stats.abnormal().map(p -> "volume '" + name + "': " + p + "; unstage and stage it again")
                            .orElse("volume '" + name + "' works")));
            return response.build();
        });
    }

    @Override
    public void nodeExpandVolume(NodeExpandVolumeRequest request, StreamObserver<NodeExpandVolumeResponse> observer) {
        Rpc.unary(observer, () -> {
            String id = CsiNames.required(request.getVolumeId(), "volume_id");
            Path volumePath = whereAVolumeCanBe(CsiNames.required(request.getVolumePath(), "volume_path"));
            long required = request.getCapacityRange().getRequiredBytes();
            long limit = request.getCapacityRange().getLimitBytes();
            if (required < 0 || limit < 0) {
                throw new StrataException.InvalidArgument("capacity_range must not hold negative sizes");
            }
            if (request.hasVolumeCapability()) {
                Capabilities.require(request.getVolumeCapability(), "volume_capability");
            }
            VolumeName name = CsiNames.existingVolume(id);
            try (VolumeLocks.Held held = locks.acquire(VolumeLocks.volume(name.value()))) {
                long size = view(name).info().size();
                if (required > size) {
                    throw new StrataException.OutOfRange("volume '" + name + "' is " + size + " bytes, less than the " + required
                            + " asked for: ControllerExpandVolume grows it first");
                }
                if (limit > 0 && size > limit) {
                    throw new StrataException.OutOfRange("volume '" + name + "' is " + size + " bytes, more than the limit " + limit);
                }
                return NodeExpandVolumeResponse.newBuilder().setCapacityBytes(host.expand(name.value(), volumePath, size)).build();
            }
        });
    }

    @Override
    public void nodeGetCapabilities(NodeGetCapabilitiesRequest request, StreamObserver<NodeGetCapabilitiesResponse> observer) {
        Rpc.unary(observer, () -> CAPABILITIES);
    }

    @Override
    public void nodeGetInfo(NodeGetInfoRequest request, StreamObserver<NodeGetInfoResponse> observer) {
        Rpc.unary(observer, () -> NodeGetInfoResponse.newBuilder().setNodeId(nodeId)
                .setMaxVolumesPerNode(host.config().maxVolumes()).setAccessibleTopology(Topologies.of(nodeId)).build());
    }

    // ---------------------------------------------------------------- helpers

    /** An absolute path, normalised; the value is not repeated when it is not one. */
    static Path absolute(String value, String field) {
        CsiNames.required(value, field);
        if (!value.startsWith("/") || value.indexOf('\0') >= 0) {
            throw new StrataException.InvalidArgument(field + " must be an absolute path");
        }
        return Path.of(value).normalize();
    }

    /**
     * {@code volume_path} as a path. One that is not absolute is where no volume can be: NOT_FOUND,
     * as the spec has it for a path the volume is not at, whatever the volume (csi-sanity asks so);
     * not INVALID_ARGUMENT, which would tell the CO the request is malformed when only the place is
     * wrong. Neither the path nor the volume id is repeated: neither has been found to be one.
     */
    private static Path whereAVolumeCanBe(String path) {
        if (!path.startsWith("/") || path.indexOf('\0') >= 0) {
            throw new StrataException.NotFound("no volume is at volume_path: it must be the absolute path where the volume is"
                    + " staged or published");
        }
        return Path.of(path).normalize();
    }

    private VolumeView view(VolumeName name) throws IOException {
        return volumes.view(name).orElseThrow(() -> new StrataException.NotFound("volume '" + name + "' does not exist"));
    }

    /** NOT_FOUND unless the volume exists, or the node still holds something of it. */
    private void requireKnown(VolumeName name) throws IOException {
        if (volumes.view(name).isEmpty() && !host.holds(name.value())) {
            throw new StrataException.NotFound("volume '" + name + "' does not exist");
        }
    }

    private static VolumeUsage usage(VolumeStats.Usage usage, VolumeUsage.Unit unit) {
        return VolumeUsage.newBuilder().setTotal(usage.total()).setUsed(usage.used()).setAvailable(usage.available())
                .setUnit(unit).build();
    }

    private static NodeGetCapabilitiesResponse capabilities(Type... types) {
        NodeGetCapabilitiesResponse.Builder response = NodeGetCapabilitiesResponse.newBuilder();
        for (Type type : types) {
            response.addCapabilities(NodeServiceCapability.newBuilder().setRpc(NodeServiceCapability.RPC.newBuilder().setType(type)));
        }
        return response.build();
    }
}
