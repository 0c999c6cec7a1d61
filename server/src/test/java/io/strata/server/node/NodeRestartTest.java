package io.strata.server.node;

import static io.strata.server.node.NodeFixture.MiB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.strata.csi.CsiClient;
import io.strata.csi.node.HostLeftovers;
import io.strata.csi.node.NodeTools;
import io.strata.csi.v1.ControllerPublishVolumeRequest;
import io.strata.csi.v1.CreateVolumeRequest;
import io.strata.csi.v1.CapacityRange;
import io.strata.csi.v1.NodeGetVolumeStatsRequest;
import io.strata.csi.v1.NodeGetVolumeStatsResponse;
import io.strata.csi.v1.NodeUnpublishVolumeRequest;
import io.strata.csi.v1.ProbeRequest;
import io.strata.csi.v1.VolumeCapability;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server killed (SIGKILL: no shutdown hook, no cleanup) while a filesystem volume is staged,
 * published and mounted. The next server finds the broken staging, reports it, cleans it all up on
 * NodeUnstageVolume (no mount, loop device or nbdfuse left) and stages the volume again with the
 * data that was fsynced before the kill.
 */
class NodeRestartTest {

    @TempDir
    Path tmp;

    @RegisterExtension
    final HostLeftovers leftovers = new HostLeftovers(() -> tmp);

    /** {@code strata server} in a JVM of its own, on the test's directory. */
    private Process startServerProcess(Path log) throws Exception {
        Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder builder = new ProcessBuilder(List.of(java.toString(), "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), "io.strata.server.Main", "server",
                "--data-dir", tmp.resolve("data").toString(), "--node-id", NodeFixture.NODE,
                "--http", "127.0.0.1:0")) // never the default 9500: a user's own server may hold it
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("STRATA_"));
        Process process = builder.start();
        try (CsiClient csi = CsiClient.connect(NodeFixture.config(tmp).csiEndpoint(), Duration.ofSeconds(2))) {
            for (int i = 0; ; i++) {
                try {
                    if (csi.identity().probe(ProbeRequest.getDefaultInstance()).getReady().getValue()) {
                        return process;
                    }
                } catch (StatusRuntimeException notYet) {
                    // not listening yet
                }
                assertThat(process.isAlive()).as("the server process runs; its log: %s", log).isTrue();
                assertThat(i).as("the server answers within a minute").isLessThan(600);
                Thread.sleep(100);
            }
        }
    }

    @Test
    void aKilledServersStagingIsCleanedUpAndTheSyncedDataIsThere() throws Exception {
        NodeTools.requireStaging();
        VolumeCapability capability = NodeFixture.mount("ext4");
        Kubelet paths = new Kubelet(tmp);
        Path staging = paths.staging("pvc-k");
        Path target = paths.target("pvc-k", "pod-1");
        String synced;
        Process server = startServerProcess(tmp.resolve("server.log"));
        try (CsiClient csi = CsiClient.connect(NodeFixture.config(tmp).csiEndpoint(), Duration.ofSeconds(120))) {
            csi.controller().createVolume(CreateVolumeRequest.newBuilder().setName("pvc-k").addVolumeCapabilities(capability)
                    .setCapacityRange(CapacityRange.newBuilder().setRequiredBytes(64 * MiB)).build());
            Map<String, String> context = csi.controller().controllerPublishVolume(ControllerPublishVolumeRequest.newBuilder()
                    .setVolumeId("pvc-k").setNodeId(NodeFixture.NODE).setVolumeCapability(capability).build()).getPublishContextMap();
            csi.node().nodeStageVolume(paths.stageRequest("pvc-k", context, capability));
            csi.node().nodePublishVolume(paths.publishRequest("pvc-k", "pod-1", capability, false));
            synced = NodeFixture.writeSynced(target.resolve("synced.bin"), 3 * (int) MiB, 11);
        } finally {
            server.destroyForcibly(); // SIGKILL
            assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(HostLeftovers.nbdfuses(tmp.toRealPath())).as("nbdfuse outlives the server").hasSize(1);
        assertThat(Sh.ok("findmnt", "-n", "-o", "FSTYPE", staging.toString()).strip()).isEqualTo("ext4");

        try (NodeFixture strata = new NodeFixture(tmp)) {
            NodeGetVolumeStatsResponse stats = strata.node().nodeGetVolumeStats(NodeGetVolumeStatsRequest.newBuilder()
                    .setVolumeId("pvc-k").setVolumePath(target.toString()).build());
            assertThat(stats.getVolumeCondition().getAbnormal()).as("its NBD connections died with the server").isTrue();
            assertThat(stats.getVolumeCondition().getMessage()).contains("pvc-k").contains("unstage and stage it again");
            assertThatThrownBy(() -> strata.node().nodeStageVolume(strata.stageRequest("pvc-k", Map.of(), capability)))
                    .as("broken but still published: it cannot be mended under the workload")
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
                        assertThat(e.getStatus().getDescription()).contains(target.toString());
                    });

            strata.node().nodeUnpublishVolume(NodeUnpublishVolumeRequest.newBuilder().setVolumeId("pvc-k")
                    .setTargetPath(target.toString()).build());
            strata.unstage("pvc-k");
            assertThat(HostLeftovers.under(tmp)).as("no mount, loop device or nbdfuse left").isEmpty();
            assertThat(Sh.ok("losetup", "-a")).doesNotContain(tmp.toRealPath().toString());
            assertThat(Files.readString(Path.of("/proc/mounts"))).doesNotContain(tmp.toRealPath().toString());

            strata.node().nodeStageVolume(strata.stageRequest("pvc-k", Map.of(), capability));
            strata.node().nodePublishVolume(strata.publishRequest("pvc-k", "pod-2", capability, false));
            assertThat(NodeFixture.sha256(strata.target("pvc-k", "pod-2").resolve("synced.bin")))
                    .as("what was fsynced before the kill").isEqualTo(synced);
            strata.release("pvc-k", "pod-2");
            assertThat(HostLeftovers.under(tmp)).isEmpty();
        }
    }
}
