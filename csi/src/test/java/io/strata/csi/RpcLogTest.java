package io.strata.csi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.strata.csi.v1.CreateVolumeRequest;
import io.strata.csi.v1.GetPluginCapabilitiesRequest;
import io.strata.csi.v1.GetPluginInfoRequest;
import io.strata.csi.v1.IdentityGrpc;
import io.strata.csi.v1.ProbeRequest;
import io.strata.domain.StrataException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Each call is logged once, with method, duration and code, and nothing a request carried. */
class RpcLogTest {

    private static final String SENTINEL = "SENTINEL-d41d8cd98f00b204";

    @RegisterExtension
    final LogCapture logs = new LogCapture();

    @TempDir
    Path dir;

    @Test
    void logsMethodDurationAndCodeOfEachCall() throws Exception {
        CsiEndpoint endpoint = new CsiEndpoint(dir.resolve("csi.sock"));
        try (CsiServer _ = CsiServer.start(endpoint, List.of(new IdentityService(() -> true)));
                CsiClient client = CsiClient.connect(endpoint)) {
            client.identity().getPluginInfo(GetPluginInfoRequest.getDefaultInstance());
        }

        List<ILoggingEvent> calls = logs.events(RpcLogInterceptor.LOGGER_NAME);
        assertThat(calls).hasSize(1);
        assertThat(calls.getFirst().getFormattedMessage()).matches("csi\\.v1\\.Identity/GetPluginInfo OK in \\d+ ms");
        assertThat(calls.getFirst().getLevel()).as("polls are DEBUG").isEqualTo(Level.DEBUG);
    }

    @Test
    void logsAFailureWithItsCodeAndMessage() throws Exception {
        CsiEndpoint endpoint = new CsiEndpoint(dir.resolve("csi.sock"));
        IdentityService unhealthy = new IdentityService(() -> {
            throw new StrataException.Unavailable("state store is busy");
        });
        try (CsiServer _ = CsiServer.start(endpoint, List.of(unhealthy));
                CsiClient client = CsiClient.connect(endpoint)) {
            assertThatThrownBy(() -> client.identity().probe(ProbeRequest.getDefaultInstance()))
                    .isInstanceOf(StatusRuntimeException.class);
        }

        List<ILoggingEvent> calls = logs.events(RpcLogInterceptor.LOGGER_NAME);
        assertThat(calls).singleElement().satisfies(e -> {
            assertThat(e.getLevel()).isEqualTo(Level.INFO);
            assertThat(e.getFormattedMessage())
                    .matches("csi\\.v1\\.Identity/Probe UNAVAILABLE in \\d+ ms: state store is busy");
        });
    }

    @Test
    void logsAPluginFaultAsAWarningWithItsCause() throws Exception {
        CsiEndpoint endpoint = new CsiEndpoint(dir.resolve("csi.sock"));
        IdentityService broken = new IdentityService(() -> {
            throw new IllegalStateException("bug in the readiness check");
        });
        try (CsiServer _ = CsiServer.start(endpoint, List.of(broken));
                CsiClient client = CsiClient.connect(endpoint)) {
            assertThatThrownBy(() -> client.identity().probe(ProbeRequest.getDefaultInstance()))
                    .isInstanceOf(StatusRuntimeException.class);
        }

        assertThat(logs.events(RpcLogInterceptor.LOGGER_NAME)).singleElement().satisfies(e -> {
            assertThat(e.getLevel()).isEqualTo(Level.WARN);
            assertThat(e.getFormattedMessage()).startsWith("csi.v1.Identity/Probe INTERNAL in ");
            // the operator finds in the log what the status message leaves out
            assertThat(e.getThrowableProxy().getMessage()).isEqualTo("bug in the readiness check");
        });
    }

    @Test
    void neverLogsWhatAnIdentityRequestCarried() throws Exception {
        CsiEndpoint endpoint = new CsiEndpoint(dir.resolve("csi.sock"));
        AtomicBoolean ready = new AtomicBoolean(true);
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + SENTINEL);
        headers.put(Metadata.Key.of("x-csi-secret-bin", Metadata.BINARY_BYTE_MARSHALLER), SENTINEL.getBytes());

        try (CsiServer _ = CsiServer.start(endpoint, List.of(new IdentityService(ready::get)));
                CsiClient client = CsiClient.connect(endpoint)) {
            IdentityGrpc.IdentityBlockingStub identity =
                    client.identity().withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
            identity.getPluginInfo(Sentinels.fill(GetPluginInfoRequest.getDefaultInstance(), SENTINEL));
            identity.getPluginCapabilities(Sentinels.fill(GetPluginCapabilitiesRequest.getDefaultInstance(), SENTINEL));
            identity.probe(Sentinels.fill(ProbeRequest.getDefaultInstance(), SENTINEL));
            ready.set(false);
            identity.probe(Sentinels.fill(ProbeRequest.getDefaultInstance(), SENTINEL));
        }

        assertThat(logs.events(RpcLogInterceptor.LOGGER_NAME)).as("the capture saw the calls").hasSize(4);
        assertThat(logs.text()).doesNotContain(SENTINEL).doesNotContain(Sentinels.hex(SENTINEL));
    }

    @Test
    void warnsWhenTheTransportWouldLogRequestFrames() throws Exception {
        ch.qos.logback.classic.Logger frames = (ch.qos.logback.classic.Logger)
                org.slf4j.LoggerFactory.getLogger("io.grpc.netty.NettyServerHandler");
        Level before = frames.getLevel();
        frames.setLevel(Level.DEBUG);
        try (CsiServer _ = CsiServer.start(new CsiEndpoint(dir.resolve("csi.sock")), List.of())) {
            assertThat(logs.events("io.strata.csi.CsiServer")).anySatisfy(e -> {
                assertThat(e.getLevel()).isEqualTo(Level.WARN);
                assertThat(e.getFormattedMessage()).startsWith("logger io.grpc.netty.NettyServerHandler is at DEBUG");
            });
        } finally {
            frames.setLevel(before);
        }
    }

    @Test
    void theSentinelReachesEveryStringOfARequest() {
        CreateVolumeRequest request = Sentinels.fill(CreateVolumeRequest.getDefaultInstance(), SENTINEL);

        assertThat(request.getName()).isEqualTo(SENTINEL);
        assertThat(request.getSecretsMap()).containsEntry("key-" + SENTINEL, SENTINEL);
        assertThat(request.getParametersMap()).containsEntry("key-" + SENTINEL, SENTINEL);
        assertThat(request.getMutableParamsMap()).containsEntry("key-" + SENTINEL, SENTINEL);
        assertThat(request.getVolumeCapabilities(0).getMount().getMountFlagsList()).containsExactly(SENTINEL);
        assertThat(request.getVolumeContentSource().getVolume().getVolumeId()).isEqualTo(SENTINEL);
        assertThat(request.getAccessibilityRequirements().getRequisite(0).getSegmentsMap()).containsValue(SENTINEL);
        assertThat(request.getUnknownFields().asMap()).isNotEmpty();
    }
}
