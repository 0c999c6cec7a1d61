package io.strata.server.node;

import static io.strata.server.node.NodeFixture.MiB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.StatusRuntimeException;
import io.strata.csi.LogCapture;
import io.strata.csi.Sentinels;
import io.strata.csi.node.HostLeftovers;
import io.strata.csi.node.NodeTools;
import io.strata.csi.v1.NodeExpandVolumeRequest;
import io.strata.csi.v1.NodeGetVolumeStatsRequest;
import io.strata.csi.v1.NodePublishVolumeRequest;
import io.strata.csi.v1.NodeStageVolumeRequest;
import io.strata.csi.v1.NodeUnpublishVolumeRequest;
import io.strata.csi.v1.NodeUnstageVolumeRequest;
import io.strata.csi.v1.VolumeCapability;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Node calls never log what their requests carry, secrets above all, and never write the secrets
 * into the node's state: every string of every Node request holds a sentinel, and neither the log
 * nor the state directory may show it.
 */
class NodeSecretsTest {

    private static final String SENTINEL = "SENTINEL-5e884898da280471";

    @TempDir
    Path tmp;

    @RegisterExtension
    final LogCapture logs = new LogCapture();

    @RegisterExtension
    final HostLeftovers leftovers = new HostLeftovers(() -> tmp);

    @Test
    void requestsFullOfSentinelsLeaveNoTraceInTheLog() throws Exception {
        try (NodeFixture strata = new NodeFixture(tmp)) {
            assertThatThrownBy(() -> strata.node().nodeStageVolume(Sentinels.fill(NodeStageVolumeRequest.getDefaultInstance(), SENTINEL)))
                    .isInstanceOf(StatusRuntimeException.class);
            assertThatThrownBy(() -> strata.node().nodeUnstageVolume(Sentinels.fill(NodeUnstageVolumeRequest.getDefaultInstance(),
                    SENTINEL))).isInstanceOf(StatusRuntimeException.class);
            assertThatThrownBy(() -> strata.node().nodePublishVolume(Sentinels.fill(NodePublishVolumeRequest.getDefaultInstance(),
                    SENTINEL))).isInstanceOf(StatusRuntimeException.class);
            assertThatThrownBy(() -> strata.node().nodeUnpublishVolume(Sentinels.fill(NodeUnpublishVolumeRequest.getDefaultInstance(),
                    SENTINEL))).isInstanceOf(StatusRuntimeException.class);
            assertThatThrownBy(() -> strata.node().nodeGetVolumeStats(Sentinels.fill(NodeGetVolumeStatsRequest.getDefaultInstance(),
                    SENTINEL))).isInstanceOf(StatusRuntimeException.class);
            assertThatThrownBy(() -> strata.node().nodeExpandVolume(Sentinels.fill(NodeExpandVolumeRequest.getDefaultInstance(),
                    SENTINEL))).isInstanceOf(StatusRuntimeException.class);
        }
        assertThat(logs.text()).contains("NodeStageVolume").doesNotContain(SENTINEL).doesNotContain(Sentinels.hex(SENTINEL));
    }

    @Test
    void theSecretsOfAStagingAndAPublicationAreNeitherLoggedNorKept() throws Exception {
        NodeTools.requireStaging();
        VolumeCapability capability = NodeFixture.mount("ext4");
        Map<String, String> secrets = Map.of("password", SENTINEL, "key-" + SENTINEL, SENTINEL);
        try (NodeFixture strata = new NodeFixture(tmp)) {
            strata.createVolume("pvc-s", 32 * MiB, capability);
            Map<String, String> context = strata.attach("pvc-s", capability);
            strata.node().nodeStageVolume(strata.stageRequest("pvc-s", context, capability).toBuilder().putAllSecrets(secrets)
                    .putVolumeContext("note", SENTINEL).build());
            strata.node().nodePublishVolume(strata.publishRequest("pvc-s", "pod-1", capability, false).toBuilder()
                    .putAllSecrets(secrets).putVolumeContext("note", SENTINEL).build());
            try (Stream<Path> files = Files.walk(tmp.resolve("data/state"))) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    assertThat(Files.readString(file)).as(file.toString()).doesNotContain(SENTINEL);
                }
            }
            strata.release("pvc-s", "pod-1");
        }
        assertThat(logs.text()).contains("pvc-s").doesNotContain(SENTINEL).doesNotContain(Sentinels.hex(SENTINEL));
    }
}
