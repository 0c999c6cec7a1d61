package io.strata.csi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.strata.csi.v1.GetPluginCapabilitiesRequest;
import io.strata.csi.v1.GetPluginCapabilitiesResponse;
import io.strata.csi.v1.GetPluginInfoRequest;
import io.strata.csi.v1.GetPluginInfoResponse;
import io.strata.csi.v1.IdentityGrpc;
import io.strata.csi.v1.ProbeRequest;
import io.strata.csi.v1.ProbeResponse;
import io.strata.domain.StrataException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Errors reach the client with the code GrpcErrors chose, however a handler fails. */
class ErrorMappingTest {

    private static final String SECRET = "s3cr3t-SENTINEL";

    @TempDir
    Path dir;

    /** A handler written carelessly: it throws instead of using Rpc.unary, or answers twice. */
    private static final class CarelessIdentity extends IdentityGrpc.IdentityImplBase {
        @Override
        public void getPluginInfo(GetPluginInfoRequest request, StreamObserver<GetPluginInfoResponse> observer) {
            throw new StrataException.NotFound("volume 'v1' does not exist");
        }

        @Override
        public void probe(ProbeRequest request, StreamObserver<ProbeResponse> observer) {
            throw new IllegalStateException("password=" + SECRET);
        }

        @Override
        public void getPluginCapabilities(
                GetPluginCapabilitiesRequest request, StreamObserver<GetPluginCapabilitiesResponse> observer) {
            observer.onNext(GetPluginCapabilitiesResponse.getDefaultInstance());
            observer.onCompleted();
            throw new IllegalStateException("after the answer");
        }
    }

    @Test
    void aDomainErrorThrownByAHandlerGetsItsCodeAndMessage() throws Exception {
        try (Fixture f = new Fixture(dir)) {
            assertThatThrownBy(() -> f.client.identity().getPluginInfo(GetPluginInfoRequest.getDefaultInstance()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
                        assertThat(e.getStatus().getDescription()).isEqualTo("volume 'v1' does not exist");
                    });
        }
    }

    @Test
    void anUnexpectedExceptionBecomesInternalWithoutItsText() throws Exception {
        try (Fixture f = new Fixture(dir)) {
            assertThatThrownBy(() -> f.client.identity().probe(ProbeRequest.getDefaultInstance()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
                        assertThat(e.getStatus().getDescription())
                                .isEqualTo("internal error (IllegalStateException); the plugin's log has the details");
                        assertThat(e.getTrailers().toString()).doesNotContain(SECRET);
                    });
        }
    }

    @Test
    void aHandlerThatThrowsAfterAnsweringKeepsItsAnswer() throws Exception {
        try (Fixture f = new Fixture(dir)) {
            assertThat(f.client.identity().getPluginCapabilities(GetPluginCapabilitiesRequest.getDefaultInstance()))
                    .isEqualTo(GetPluginCapabilitiesResponse.getDefaultInstance());
        }
    }

    private static final class Fixture implements AutoCloseable {
        final CsiServer server;
        final CsiClient client;

        Fixture(Path dir) throws Exception {
            CsiEndpoint endpoint = new CsiEndpoint(dir.resolve("csi.sock"));
            server = CsiServer.start(endpoint, List.of(new CarelessIdentity()));
            client = CsiClient.connect(endpoint);
        }

        @Override
        public void close() {
            client.close();
            server.close();
        }
    }
}
