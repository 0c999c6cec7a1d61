package io.strata.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.strata.csi.CsiClient;
import io.strata.csi.DriverName;
import io.strata.csi.v1.ControllerPublishVolumeRequest;
import io.strata.csi.v1.CreateSnapshotRequest;
import io.strata.csi.v1.CreateVolumeRequest;
import io.strata.csi.v1.GetPluginInfoRequest;
import io.strata.csi.v1.ListSnapshotsRequest;
import io.strata.csi.v1.Snapshot;
import io.strata.csi.v1.VolumeCapability;
import io.strata.csi.v1.VolumeContentSource;
import io.strata.domain.StrataException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code strata server} wired whole: CSI over its socket, a backup snapshot, a restore, and a restart. */
class StrataServerTest {
    private static final long MiB = 1 << 20;

    @TempDir
    Path tmp;

    private ServerConfig config() {
        Path data = tmp.resolve("data");
        return new ServerConfig(data, ServerConfig.defaultBackupTarget(data), ServerConfig.defaultCsiEndpoint(data),
                new DriverName("backup.example.com"), "node-1", Map.of());
    }

    private static VolumeCapability mount() {
        return VolumeCapability.newBuilder()
                .setMount(VolumeCapability.MountVolume.newBuilder().setFsType("ext4"))
                .setAccessMode(VolumeCapability.AccessMode.newBuilder().setMode(VolumeCapability.AccessMode.Mode.SINGLE_NODE_WRITER))
                .build();
    }

    @Test
    void servesCsiBacksUpRestoresAndResumesAfterARestart() throws Exception {
        ServerConfig config = config();
        String handle;
        try (StrataServer server = StrataServer.start(config); CsiClient csi = CsiClient.connect(config.csiEndpoint())) {
            assertThat(csi.identity().getPluginInfo(GetPluginInfoRequest.getDefaultInstance()).getName()).isEqualTo("backup.example.com");
            assertThatThrownBy(() -> StrataServer.start(config)).as("one server per data directory")
                    .isInstanceOf(StrataException.Unavailable.class);

            csi.controller().createVolume(CreateVolumeRequest.newBuilder().setName("pvc-1").addVolumeCapabilities(mount())
                    .setCapacityRange(io.strata.csi.v1.CapacityRange.newBuilder().setRequiredBytes(8 * MiB)).build());
            CreateSnapshotRequest snapshot = CreateSnapshotRequest.newBuilder().setName("snapshot-1").setSourceVolumeId("pvc-1")
                    .putParameters("type", "bak").build();
            Snapshot taken = csi.controller().createSnapshot(snapshot).getSnapshot();
            handle = taken.getSnapshotId();
            assertThat(handle).startsWith("bak://pvc-1/backup-");
            for (int i = 0; i < 500 && !taken.getReadyToUse(); i++) {
                Thread.sleep(20);
                taken = csi.controller().createSnapshot(snapshot).getSnapshot();
            }
            assertThat(taken.getReadyToUse()).isTrue();

            csi.controller().createVolume(CreateVolumeRequest.newBuilder().setName("pvc-2").addVolumeCapabilities(mount())
                    .setVolumeContentSource(VolumeContentSource.newBuilder().setSnapshot(
                            VolumeContentSource.SnapshotSource.newBuilder().setSnapshotId(handle)))
                    .build());
            ControllerPublishVolumeRequest publish = ControllerPublishVolumeRequest.newBuilder().setVolumeId("pvc-2").setNodeId("node-1")
                    .setVolumeCapability(mount()).build();
            boolean published = false;
            for (int i = 0; i < 500 && !published; i++) {
                try {
                    csi.controller().controllerPublishVolume(publish);
                    published = true;
                } catch (StatusRuntimeException e) {
                    assertThat(e.getStatus().getCode()).as("only 'not yet'").isEqualTo(Status.Code.UNAVAILABLE);
                    Thread.sleep(20);
                }
            }
            assertThat(published).isTrue();
            assertThat(server.volumes().view(io.strata.domain.VolumeName.of("pvc-2")).orElseThrow().attachment()).isPresent();
        }

        try (StrataServer again = StrataServer.start(config); CsiClient csi = CsiClient.connect(config.csiEndpoint())) {
            Snapshot listed = csi.controller().listSnapshots(ListSnapshotsRequest.newBuilder().setSnapshotId(handle).build())
                    .getEntries(0).getSnapshot();
            assertThat(listed.getReadyToUse()).isTrue();
            assertThat(listed.getSizeBytes()).isEqualTo(8 * MiB);
            assertThat(again.volumes().view(io.strata.domain.VolumeName.of("pvc-2")).orElseThrow().attachment())
                    .as("attachments survive a restart").isPresent();
        }
    }

    @Test
    void theDefaultsLiveInTheDataDirectory() {
        assertThat(config().backupTarget()).isEqualTo("file://" + tmp.resolve("data/backups"));
        assertThat(config().csiEndpoint().url()).isEqualTo("unix://" + tmp.resolve("data/csi.sock"));
    }
}
