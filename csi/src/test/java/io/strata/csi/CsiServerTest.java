package io.strata.csi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.util.concurrent.ListenableFuture;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.strata.csi.v1.GetPluginInfoRequest;
import io.strata.csi.v1.IdentityGrpc;
import io.strata.csi.v1.ProbeRequest;
import io.strata.csi.v1.ProbeResponse;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The endpoint on a real unix socket: binding, stale and live sockets, permissions, stopping. */
class CsiServerTest {

    @TempDir
    Path dir;

    private CsiEndpoint endpoint(String relative) {
        return new CsiEndpoint(dir.resolve(relative));
    }

    private static CsiServer serve(CsiEndpoint endpoint, BooleanSupplier ready) throws IOException {
        return CsiServer.start(endpoint, List.of(new IdentityService(ready)));
    }

    @Test
    void servesOnANewSocketInNewDirectoriesOnlyForOwnerAndGroup() throws Exception {
        CsiEndpoint endpoint = endpoint("plugins/driver.strata.io/csi.sock");

        try (CsiServer server = serve(endpoint, () -> true); CsiClient client = CsiClient.connect(endpoint)) {
            assertThat(client.identity().getPluginInfo(GetPluginInfoRequest.getDefaultInstance()).getName())
                    .isEqualTo("driver.strata.io");
            assertThat(server.endpoint()).isEqualTo(endpoint);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(endpoint.socketPath())))
                    .isEqualTo("rw-rw----");
        }
    }

    @Test
    void replacesASocketLeftBehindByACrashedServer() throws Exception {
        CsiEndpoint endpoint = endpoint("csi.sock");
        try (ServerSocketChannel crashed = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            crashed.bind(UnixDomainSocketAddress.of(endpoint.socketPath()));
        }
        assertThat(endpoint.socketPath()).exists(); // the JDK leaves the file behind, as a crash would

        try (CsiServer _ = serve(endpoint, () -> true); CsiClient client = CsiClient.connect(endpoint)) {
            assertThat(client.identity().probe(ProbeRequest.getDefaultInstance()).getReady().getValue()).isTrue();
        }
    }

    @Test
    void refusesASocketWhereAnotherServerListens() throws Exception {
        CsiEndpoint endpoint = endpoint("csi.sock");
        try (ServerSocketChannel live = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            live.bind(UnixDomainSocketAddress.of(endpoint.socketPath()));

            assertThatThrownBy(() -> serve(endpoint, () -> true))
                    .isInstanceOf(IOException.class)
                    .hasMessage("cannot serve CSI on " + endpoint + ": another server is listening on "
                            + endpoint.socketPath() + "; stop it first, or choose another endpoint");
            assertThat(endpoint.socketPath()).exists();
            assertThat(live.isOpen()).isTrue();
        }
    }

    @Test
    void refusesToReplaceSomethingThatIsNotASocket() throws Exception {
        CsiEndpoint endpoint = endpoint("csi.sock");
        Files.writeString(endpoint.socketPath(), "precious");

        assertThatThrownBy(() -> serve(endpoint, () -> true))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("exists and is not a socket");
        assertThat(endpoint.socketPath()).hasContent("precious");
    }

    @Test
    void removesTheSocketOnStop() throws Exception {
        CsiEndpoint endpoint = endpoint("csi.sock");
        CsiServer server = serve(endpoint, () -> true);
        assertThat(endpoint.socketPath()).exists();

        assertThat(server.stop(Duration.ofSeconds(5))).isTrue();

        assertThat(endpoint.socketPath()).doesNotExist();
        assertThat(server.stop(Duration.ofSeconds(5))).as("a second stop is harmless").isTrue();
    }

    @Test
    void canServeAgainOnTheSameEndpointAfterStopping() throws Exception {
        CsiEndpoint endpoint = endpoint("csi.sock");
        serve(endpoint, () -> true).close();

        try (CsiServer _ = serve(endpoint, () -> true); CsiClient client = CsiClient.connect(endpoint)) {
            assertThat(client.identity().probe(ProbeRequest.getDefaultInstance()).getReady().getValue()).isTrue();
        }
    }

    @Test
    void runsHandlersOnVirtualThreads() throws Exception {
        CsiEndpoint endpoint = endpoint("csi.sock");
        AtomicBoolean virtual = new AtomicBoolean();

        try (CsiServer _ = serve(endpoint, () -> {
                    virtual.set(Thread.currentThread().isVirtual());
                    return true;
                });
                CsiClient client = CsiClient.connect(endpoint)) {
            client.identity().probe(ProbeRequest.getDefaultInstance());
        }

        assertThat(virtual).isTrue();
    }

    @Test
    void stopLetsACallInFlightFinish() throws Exception {
        CsiEndpoint endpoint = endpoint("csi.sock");
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CsiServer server = serve(endpoint, () -> {
            entered.countDown();
            await(release);
            return true;
        });
        try (CsiClient client = CsiClient.connect(endpoint)) {
            ListenableFuture<ProbeResponse> call = client.withDeadline(IdentityGrpc.newFutureStub(client.channel()))
                    .probe(ProbeRequest.getDefaultInstance());
            assertThat(entered.await(20, TimeUnit.SECONDS)).isTrue();

            CompletableFuture<Boolean> stopping = CompletableFuture.supplyAsync(() -> server.stop(Duration.ofSeconds(20)));
            release.countDown();

            assertThat(call.get(20, TimeUnit.SECONDS).getReady().getValue()).isTrue();
            assertThat(stopping.get(30, TimeUnit.SECONDS)).as("finished within the grace period").isTrue();
        }
        assertThat(endpoint.socketPath()).doesNotExist();
    }

    @Test
    void stopCancelsCallsStillRunningAfterTheGracePeriod() throws Exception {
        CsiEndpoint endpoint = endpoint("csi.sock");
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch interrupted = new CountDownLatch(1);
        CsiServer server = serve(endpoint, () -> {
            entered.countDown();
            try {
                Thread.sleep(Duration.ofMinutes(5));
            } catch (InterruptedException e) {
                interrupted.countDown();
            }
            return true;
        });
        try (CsiClient client = CsiClient.connect(endpoint)) {
            ListenableFuture<ProbeResponse> call = client.withDeadline(IdentityGrpc.newFutureStub(client.channel()))
                    .probe(ProbeRequest.getDefaultInstance());
            assertThat(entered.await(20, TimeUnit.SECONDS)).isTrue();

            long started = System.nanoTime();
            assertThat(server.stop(Duration.ofMillis(200))).isFalse();
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(15));

            assertThatThrownBy(() -> call.get(20, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(StatusRuntimeException.class)
                    .extracting(e -> ((StatusRuntimeException) e).getStatus().getCode())
                    .isIn(Status.Code.UNAVAILABLE, Status.Code.CANCELLED);
            assertThat(interrupted.await(20, TimeUnit.SECONDS)).as("the handler was interrupted").isTrue();
        }
        assertThat(endpoint.socketPath()).doesNotExist();
    }

    @Test
    void refusesNewCallsOnceStopped() throws Exception {
        CsiEndpoint endpoint = endpoint("csi.sock");
        serve(endpoint, () -> true).close();

        try (CsiClient client = CsiClient.connect(endpoint)) {
            assertThatThrownBy(() -> client.identity().probe(ProbeRequest.getDefaultInstance()))
                    .isInstanceOf(StatusRuntimeException.class)
                    .extracting(e -> ((StatusRuntimeException) e).getStatus().getCode())
                    .isEqualTo(Status.Code.UNAVAILABLE);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
