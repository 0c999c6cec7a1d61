package io.strata.server.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.strata.csi.CsiClient;
import io.strata.csi.DriverName;
import io.strata.csi.node.HostOs;
import io.strata.csi.node.Os;
import io.strata.csi.v1.CapacityRange;
import io.strata.csi.v1.ControllerPublishVolumeRequest;
import io.strata.csi.v1.ControllerUnpublishVolumeRequest;
import io.strata.csi.v1.CreateSnapshotRequest;
import io.strata.csi.v1.CreateVolumeRequest;
import io.strata.csi.v1.NodeGrpc;
import io.strata.csi.v1.NodePublishVolumeRequest;
import io.strata.csi.v1.NodeStageVolumeRequest;
import io.strata.csi.v1.NodeUnpublishVolumeRequest;
import io.strata.csi.v1.NodeUnstageVolumeRequest;
import io.strata.csi.v1.Snapshot;
import io.strata.csi.v1.VolumeCapability;
import io.strata.csi.v1.VolumeCapability.AccessMode.Mode;
import io.strata.csi.v1.VolumeContentSource;
import io.strata.server.ServerConfig;
import io.strata.server.StrataServer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A Strata server on a temporary data directory, with a CSI client on its socket, doing what the
 * kubelet and the sidecars do: provision, attach, stage, publish, and back again. Paths mimic the
 * kubelet's, under the test's directory, so that every mount, loop device and FUSE server a test
 * makes is found there.
 */
final class NodeFixture implements AutoCloseable {
    static final String NODE = "node-1";
    static final long MiB = 1 << 20;

    final Path dir;
    final Kubelet kubelet;
    final ServerConfig config;
    final StrataServer server;
    final CsiClient csi;

    NodeFixture(Path dir) throws IOException {
        this(dir, new HostOs());
    }

    NodeFixture(Path dir, Os os) throws IOException {
        this.dir = dir;
        this.kubelet = new Kubelet(dir);
        this.config = config(dir);
        this.server = StrataServer.start(config, os);
        this.csi = CsiClient.connect(config.csiEndpoint(), Duration.ofSeconds(120));
    }

    static ServerConfig config(Path dir) {
        Path data = dir.resolve("data");
        return new ServerConfig(data, ServerConfig.defaultBackupTarget(data), ServerConfig.defaultCsiEndpoint(data),
                DriverName.DEFAULT, NODE, Map.of());
    }

    NodeGrpc.NodeBlockingStub node() {
        return csi.node();
    }

    Path staging(String volume) {
        return kubelet.staging(volume);
    }

    Path target(String volume, String pod) {
        return kubelet.target(volume, pod);
    }

    static VolumeCapability mount(String fsType, String... flags) {
        return VolumeCapability.newBuilder()
                .setMount(VolumeCapability.MountVolume.newBuilder().setFsType(fsType).addAllMountFlags(List.of(flags)))
                .setAccessMode(VolumeCapability.AccessMode.newBuilder().setMode(Mode.SINGLE_NODE_WRITER)).build();
    }

    static VolumeCapability block() {
        return VolumeCapability.newBuilder().setBlock(VolumeCapability.BlockVolume.getDefaultInstance())
                .setAccessMode(VolumeCapability.AccessMode.newBuilder().setMode(Mode.SINGLE_NODE_WRITER)).build();
    }

    static VolumeCapability withMode(VolumeCapability capability, Mode mode) {
        return capability.toBuilder().setAccessMode(VolumeCapability.AccessMode.newBuilder().setMode(mode)).build();
    }

    void createVolume(String name, long size, VolumeCapability capability) {
        csi.controller().createVolume(CreateVolumeRequest.newBuilder().setName(name).addVolumeCapabilities(capability)
                .setCapacityRange(CapacityRange.newBuilder().setRequiredBytes(size)).build());
    }

    void createVolumeFrom(String name, String snapshotId, VolumeCapability capability) {
        csi.controller().createVolume(CreateVolumeRequest.newBuilder().setName(name).addVolumeCapabilities(capability)
                .setVolumeContentSource(VolumeContentSource.newBuilder()
                        .setSnapshot(VolumeContentSource.SnapshotSource.newBuilder().setSnapshotId(snapshotId))).build());
    }

    /** ControllerPublishVolume to this node, retried while a restore into the volume runs; returns the publish context. */
    Map<String, String> attach(String volume, VolumeCapability capability) throws InterruptedException {
        ControllerPublishVolumeRequest request = ControllerPublishVolumeRequest.newBuilder().setVolumeId(volume).setNodeId(NODE)
                .setVolumeCapability(capability).build();
        for (int i = 0; ; i++) {
            try {
                return csi.controller().controllerPublishVolume(request).getPublishContextMap();
            } catch (StatusRuntimeException e) {
                assertThat(e.getStatus().getCode()).as("only 'not yet': %s", e.getStatus()).isEqualTo(Status.Code.UNAVAILABLE);
                assertThat(i).as("attached within a minute").isLessThan(3000);
                Thread.sleep(20);
            }
        }
    }

    void detach(String volume) {
        csi.controller().controllerUnpublishVolume(ControllerUnpublishVolumeRequest.newBuilder().setVolumeId(volume).setNodeId(NODE)
                .build());
    }

    NodeStageVolumeRequest stageRequest(String volume, Map<String, String> context, VolumeCapability capability) {
        return kubelet.stageRequest(volume, context, capability);
    }

    NodePublishVolumeRequest publishRequest(String volume, String pod, VolumeCapability capability, boolean readOnly) {
        return kubelet.publishRequest(volume, pod, capability, readOnly);
    }

    /** Attach, stage and publish for pod {@code pod}: what happens before a pod starts. @return the target path */
    Path use(String volume, String pod, VolumeCapability capability) throws InterruptedException {
        Map<String, String> context = attach(volume, capability);
        node().nodeStageVolume(stageRequest(volume, context, capability));
        node().nodePublishVolume(publishRequest(volume, pod, capability, false));
        return target(volume, pod);
    }

    /** Unpublish, unstage and detach: what happens after the pod is gone. */
    void release(String volume, String pod) {
        node().nodeUnpublishVolume(NodeUnpublishVolumeRequest.newBuilder().setVolumeId(volume)
                .setTargetPath(target(volume, pod).toString()).build());
        unstage(volume);
        detach(volume);
    }

    void unstage(String volume) {
        node().nodeUnstageVolume(NodeUnstageVolumeRequest.newBuilder().setVolumeId(volume)
                .setStagingTargetPath(staging(volume).toString()).build());
    }

    /** CreateSnapshot, repeated until ready (a backup runs as a job). @return its id */
    String snapshot(String name, String volume, String type) throws InterruptedException {
        CreateSnapshotRequest request = CreateSnapshotRequest.newBuilder().setName(name).setSourceVolumeId(volume)
                .putParameters("type", type).build();
        Snapshot snapshot = csi.controller().createSnapshot(request).getSnapshot();
        for (int i = 0; i < 3000 && !snapshot.getReadyToUse(); i++) {
            Thread.sleep(20);
            snapshot = csi.controller().createSnapshot(request).getSnapshot();
        }
        assertThat(snapshot.getReadyToUse()).as("snapshot %s ready", name).isTrue();
        return snapshot.getSnapshotId();
    }

    /** Writes {@code size} random bytes to a new file and fsyncs it and its directory. @return its SHA-256 */
    static String writeSynced(Path file, int size, long seed) throws IOException {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.wrap(data);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        }
        try (FileChannel parent = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
            parent.force(true);
        }
        return sha256(data);
    }

    static String sha256(Path file) throws IOException {
        return sha256(Files.readAllBytes(file));
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() throws IOException {
        csi.close();
        server.close();
    }
}
