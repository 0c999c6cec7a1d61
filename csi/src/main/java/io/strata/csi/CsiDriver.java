package io.strata.csi;

import io.grpc.BindableService;
import io.strata.csi.node.NodeHost;
import io.strata.control.SnapshotService;
import io.strata.control.VolumeService;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * The CSI plugin of one Strata server, wired from its control use cases: the Identity and
 * Controller services on one socket, and the Node service when the server attaches volumes on its
 * node ({@link NodeHost}). The server command builds the use cases (volume store,
 * backup service, jobs, and the volume and snapshot services sharing one
 * {@link io.strata.control.KeyedLocks}) and hands them here; CSI reaches the engine and the backup
 * targets only through them.
 *
 * <pre>{@code
 * CsiDriver driver = new CsiDriver(DriverName.DEFAULT, nodeId, volumeService, snapshotService);
 * try (CsiServer server = CsiServer.start(CsiEndpoint.parse(System.getenv("CSI_ENDPOINT")), driver.services(() -> true))) {
 *     server.awaitTermination();
 * }
 * }</pre>
 *
 * @param nodeId the node this server's volumes live on: their topology, and what the Node service reports
 * @param node   the node's attachments, for the Node service; empty to serve the controller alone
 */
public record CsiDriver(DriverName name, String nodeId, VolumeService volumes, SnapshotService snapshots,
                        Optional<NodeHost> node) {

    /** @throws IllegalArgumentException when {@code nodeId} cannot be a topology label value */
    public CsiDriver {
        Objects.requireNonNull(name, "name");
        Topologies.checkNodeId(nodeId);
        Objects.requireNonNull(volumes, "volumes");
        Objects.requireNonNull(snapshots, "snapshots");
        Objects.requireNonNull(node, "node");
        if (node.isPresent() && !node.get().config().nodeId().equals(nodeId)) {
            throw new IllegalArgumentException("the Node service's node id '" + node.get().config().nodeId()
                    + "' is not the driver's '" + nodeId + "'");
        }
    }

    /** The controller plugin alone: Identity and Controller. */
    public CsiDriver(DriverName name, String nodeId, VolumeService volumes, SnapshotService snapshots) {
        this(name, nodeId, volumes, snapshots, Optional.empty());
    }

    /** The services to serve, for a caller that starts the {@link CsiServer} itself. */
    public List<BindableService> services(BooleanSupplier ready) {
        List<BindableService> services = new ArrayList<>(List.of(new IdentityService(name, BuildVersion.vendorVersion(), ready),
                new ControllerService(volumes, snapshots, nodeId)));
        node.ifPresent(host -> services.add(new NodeService(volumes, host)));
        return services;
    }
}
