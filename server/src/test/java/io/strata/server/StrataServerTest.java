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
import io.strata.csi.node.NodeTools;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code strata server} wired whole: CSI over its socket, a backup snapshot, a restore, a restart, and NBD. */
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
    void aStartRemovesTheBackupLocksAKilledRunOfThisNodeLeft() throws Exception {
        ServerConfig config = config();
        // what a server killed with -9 during a backup leaves: its lock file, and its note naming a process now gone
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        String key = io.strata.backupstore.format.StoreLayout.lock("pvc-1", "lock-00000000000000ab");
        Path lockFile = config.dataDir().resolve("backups").resolve(key);
        Files.createDirectories(lockFile.getParent());
        Files.writeString(lockFile, "{\"Name\":\"lock-00000000000000ab\",\"Type\":1,\"Acquired\":true}");
        Path note = Files.createDirectories(config.dataDir().resolve(ServerConfig.LOCK_JOURNAL_DIRECTORY))
                .resolve("lock-00000000000000ab.lock-note");
        Files.writeString(note, gone.pid() + " 1\n" + config.backupTarget() + "\n" + key + "\n");

        try (StrataServer server = StrataServer.start(config)) {
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (Files.exists(lockFile) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(lockFile).as("removed at start, without any backup call").doesNotExist();
            assertThat(note).doesNotExist();
        }
    }

    @Test
    void theDefaultsLiveInTheDataDirectory() {
        assertThat(config().backupTarget()).isEqualTo("file://" + tmp.resolve("data/backups"));
        assertThat(config().csiEndpoint().url()).isEqualTo("unix://" + tmp.resolve("data/csi.sock"));
        assertThat(config().nbdSocket()).isEqualTo(tmp.resolve("data/nbd.sock"));
        assertThat(config().nbdTcp()).as("no TCP unless asked").isEmpty();
    }

    @Test
    void servesItsVolumesOverNbdOnItsSocketAndOnLoopbackTcp() throws Exception {
        NodeTools.require("libnbd-bin", "nbdinfo", "nbdcopy");
        NodeTools.require("qemu-utils", "qemu-img");
        ServerConfig base = config();
        ServerConfig config = new ServerConfig(base.dataDir(), base.backupTarget(), base.csiEndpoint(), base.driverName(),
                base.nodeId(), base.nbdSocket(), Optional.of(ServerConfig.parseNbdTcp("0")), Map.of());
        byte[] data = new byte[1 << 20];
        new java.util.Random(5).nextBytes(data);
        Path source = tmp.resolve("source.img");
        Files.write(source, data);
        try (StrataServer server = StrataServer.start(config); CsiClient csi = CsiClient.connect(config.csiEndpoint())) {
            csi.controller().createVolume(CreateVolumeRequest.newBuilder().setName("pvc-nbd").addVolumeCapabilities(mount())
                    .setCapacityRange(io.strata.csi.v1.CapacityRange.newBuilder().setRequiredBytes(8 * MiB)).build());
            InetSocketAddress tcp = server.nbd().tcpAddress().orElseThrow();
            assertThat(tcp.getAddress().isLoopbackAddress()).as("TCP stays on the node unless an address is given").isTrue();
            String unix = "nbd+unix:///pvc-nbd?socket=" + config.nbdSocket();
            assertThat(run("nbdinfo", "--size", unix).strip()).isEqualTo(Long.toString(8 * MiB));
            run("qemu-img", "convert", "-n", "-f", "raw", "-O", "raw", source.toString(),
                    "nbd://127.0.0.1:" + tcp.getPort() + "/pvc-nbd");
            Path back = tmp.resolve("back.img");
            run("nbdcopy", unix, back.toString());
            assertThat(Files.size(back)).isEqualTo(8 * MiB);
            assertThat(java.util.Arrays.copyOf(Files.readAllBytes(back), data.length)).as("written over TCP, read over the socket")
                    .isEqualTo(data);
        }
        assertThat(config.nbdSocket()).as("removed on stop").doesNotExist();
    }

    @Test
    void nbdTcpAddressesAreAPortOrAHostAndPort() {
        assertThat(ServerConfig.parseNbdTcp("10809")).isEqualTo(new InetSocketAddress(InetAddress.getLoopbackAddress(), 10809));
        assertThat(ServerConfig.parseNbdTcp("0.0.0.0:10809").getAddress().isAnyLocalAddress()).isTrue();
        assertThat(ServerConfig.parseNbdTcp("[::1]:7").getAddress().isLoopbackAddress()).isTrue();
        for (String bad : new String[] {"", "x", ":10809", "10809:", "70000", "-1", "host:port"}) {
            assertThatThrownBy(() -> ServerConfig.parseNbdTcp(bad)).as(bad).isInstanceOf(StrataException.InvalidArgument.class);
        }
    }

    private static String run(String... argv) throws Exception {
        Process process = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor()).as("%s: %s", String.join(" ", argv), out).isZero();
        return out;
    }
}
