package io.strata.csi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.strata.csi.v1.GetPluginCapabilitiesRequest;
import io.strata.csi.v1.GetPluginInfoRequest;
import io.strata.csi.v1.GetPluginInfoResponse;
import io.strata.csi.v1.PluginCapability;
import io.strata.csi.v1.ProbeRequest;
import io.strata.csi.v1.ProbeResponse;
import io.strata.domain.StrataException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Identity service as a sidecar sees it: over a real unix socket. */
class IdentityServiceTest {

    @TempDir
    Path dir;

    private CsiEndpoint endpoint() {
        return new CsiEndpoint(dir.resolve("csi.sock"));
    }

    @Test
    void reportsStratasNameAndThisBuildsVersion() throws Exception {
        CsiEndpoint endpoint = endpoint();
        try (CsiServer _ = CsiServer.start(endpoint, List.of(new IdentityService(() -> true)));
                CsiClient client = CsiClient.connect(endpoint)) {
            GetPluginInfoResponse info = client.identity().getPluginInfo(GetPluginInfoRequest.getDefaultInstance());

            assertThat(info.getName()).isEqualTo("driver.strata.io");
            assertThat(info.getVendorVersion()).isEqualTo(System.getProperty("strata.expected.version")).isNotBlank();
            assertThat(info.getManifestMap()).isEmpty();
        }
    }

    @Test
    void reportsTheNameItWasGiven() throws Exception {
        CsiEndpoint endpoint = endpoint();
        IdentityService identity = new IdentityService(new DriverName("backup.example.com"), "1.2.3", () -> true);
        try (CsiServer _ = CsiServer.start(endpoint, List.of(identity));
                CsiClient client = CsiClient.connect(endpoint)) {
            GetPluginInfoResponse info = client.identity().getPluginInfo(GetPluginInfoRequest.getDefaultInstance());

            assertThat(info.getName()).isEqualTo("backup.example.com");
            assertThat(info.getVendorVersion()).isEqualTo("1.2.3");
        }
    }

    @Test
    void refusesAnInvalidDriverNameAtConstruction() {
        assertThatThrownBy(() -> new IdentityService(new DriverName("driver_strata"), "1.0", () -> true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("driver_strata");
    }

    @Test
    void refusesABlankVendorVersionAtConstruction() {
        assertThatThrownBy(() -> new IdentityService(DriverName.DEFAULT, " ", () -> true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("vendor version");
    }

    @Test
    void reportsExactlyTheControllerServiceTopologyAndOnlineExpansion() throws Exception {
        CsiEndpoint endpoint = endpoint();
        try (CsiServer _ = CsiServer.start(endpoint, List.of(new IdentityService(() -> true)));
                CsiClient client = CsiClient.connect(endpoint)) {
            List<PluginCapability> capabilities = client.identity()
                    .getPluginCapabilities(GetPluginCapabilitiesRequest.getDefaultInstance())
                    .getCapabilitiesList();

            assertThat(capabilities).containsExactly(
                    PluginCapability.newBuilder().setService(PluginCapability.Service.newBuilder()
                            .setType(PluginCapability.Service.Type.CONTROLLER_SERVICE)).build(),
                    PluginCapability.newBuilder().setService(PluginCapability.Service.newBuilder()
                            .setType(PluginCapability.Service.Type.VOLUME_ACCESSIBILITY_CONSTRAINTS)).build(),
                    PluginCapability.newBuilder().setVolumeExpansion(PluginCapability.VolumeExpansion.newBuilder()
                            .setType(PluginCapability.VolumeExpansion.Type.ONLINE)).build());
        }
    }

    @Test
    void probeSaysNotReadyWhileStartingAndReadyAfter() throws Exception {
        CsiEndpoint endpoint = endpoint();
        AtomicBoolean started = new AtomicBoolean(false);
        try (CsiServer _ = CsiServer.start(endpoint, List.of(new IdentityService(started::get)));
                CsiClient client = CsiClient.connect(endpoint)) {
            ProbeResponse starting = client.identity().probe(ProbeRequest.getDefaultInstance());
            started.set(true);
            ProbeResponse ready = client.identity().probe(ProbeRequest.getDefaultInstance());

            // "not ready" is an answer, not an error: the CO waits instead of restarting the plugin
            assertThat(starting.hasReady()).isTrue();
            assertThat(starting.getReady().getValue()).isFalse();
            assertThat(ready.getReady().getValue()).isTrue();
        }
    }

    @Test
    void probeAnswersAnUnhealthyPluginWithTheMappedError() throws Exception {
        CsiEndpoint endpoint = endpoint();
        IdentityService identity = new IdentityService(() -> {
            throw new StrataException.FailedPrecondition("state store /var/lib/strata is not readable");
        });
        try (CsiServer _ = CsiServer.start(endpoint, List.of(identity));
                CsiClient client = CsiClient.connect(endpoint)) {
            assertThatThrownBy(() -> client.identity().probe(ProbeRequest.getDefaultInstance()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
                        assertThat(e.getStatus().getDescription())
                                .isEqualTo("state store /var/lib/strata is not readable");
                    });
        }
    }
}
