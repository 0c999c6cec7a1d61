package io.strata.csi;

import com.google.protobuf.BoolValue;
import io.grpc.stub.StreamObserver;
import io.strata.csi.v1.GetPluginCapabilitiesRequest;
import io.strata.csi.v1.GetPluginCapabilitiesResponse;
import io.strata.csi.v1.GetPluginInfoRequest;
import io.strata.csi.v1.GetPluginInfoResponse;
import io.strata.csi.v1.IdentityGrpc;
import io.strata.csi.v1.PluginCapability;
import io.strata.csi.v1.ProbeRequest;
import io.strata.csi.v1.ProbeResponse;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * The CSI Identity service: the plugin's name and version, what it offers, and whether it is ready.
 * Every Strata process serves it, controller and node alike, and all of them report the same
 * capabilities, as the spec requires of one plugin version wherever it runs.
 *
 * <p>Capabilities: the Controller service; volume accessibility constraints, because a volume is a
 * chain of layer files on one node's disk, so a pod can use it only where it lives; and online
 * expansion, because growing a volume is a metadata change the engine makes while it is in use.
 *
 * <p>Readiness comes from the caller: while the process is still opening its state store the supplier
 * says {@code false}, and Probe answers "healthy but not ready" instead of an error, so the CO waits
 * instead of restarting the plugin. A supplier that throws means unhealthy, answered as an error.
 */
public final class IdentityService extends IdentityGrpc.IdentityImplBase {

    private static final GetPluginCapabilitiesResponse CAPABILITIES = GetPluginCapabilitiesResponse.newBuilder()
            .addCapabilities(service(PluginCapability.Service.Type.CONTROLLER_SERVICE))
            .addCapabilities(service(PluginCapability.Service.Type.VOLUME_ACCESSIBILITY_CONSTRAINTS))
            .addCapabilities(PluginCapability.newBuilder().setVolumeExpansion(PluginCapability.VolumeExpansion
                    .newBuilder().setType(PluginCapability.VolumeExpansion.Type.ONLINE)))
            .build();

    private final GetPluginInfoResponse info;
    private final BooleanSupplier ready;

    /** Strata's default name and this build's version. */
    public IdentityService(BooleanSupplier ready) {
        this(DriverName.DEFAULT, BuildVersion.vendorVersion(), ready);
    }

    /**
     * @param name the driver name Kubernetes knows the plugin by
     * @param vendorVersion reported as is; required by the spec, so never blank
     * @param ready whether the process is ready to serve Controller and Node calls
     */
    public IdentityService(DriverName name, String vendorVersion, BooleanSupplier ready) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(vendorVersion, "vendorVersion");
        if (vendorVersion.isBlank()) {
            throw new IllegalArgumentException("vendor version is blank: CSI requires one");
        }
        this.info = GetPluginInfoResponse.newBuilder().setName(name.value()).setVendorVersion(vendorVersion).build();
        this.ready = Objects.requireNonNull(ready, "ready");
    }

    @Override
    public void getPluginInfo(GetPluginInfoRequest request, StreamObserver<GetPluginInfoResponse> observer) {
        Rpc.unary(observer, () -> info);
    }

    @Override
    public void getPluginCapabilities(
            GetPluginCapabilitiesRequest request, StreamObserver<GetPluginCapabilitiesResponse> observer) {
        Rpc.unary(observer, () -> CAPABILITIES);
    }

    @Override
    public void probe(ProbeRequest request, StreamObserver<ProbeResponse> observer) {
        Rpc.unary(observer, () -> ProbeResponse.newBuilder().setReady(BoolValue.of(ready.getAsBoolean())).build());
    }

    private static PluginCapability service(PluginCapability.Service.Type type) {
        return PluginCapability.newBuilder().setService(PluginCapability.Service.newBuilder().setType(type)).build();
    }
}
