package io.strata.server.api;

import static io.strata.server.api.ApiHarness.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.strata.csi.CsiClient;
import io.strata.csi.node.NodeTools;
import io.strata.csi.v1.CapacityRange;
import io.strata.csi.v1.ControllerExpandVolumeRequest;
import io.strata.csi.v1.CreateVolumeRequest;
import io.strata.csi.v1.VolumeCapability;
import io.strata.server.ServerConfig;
import io.strata.server.http.ProblemType;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server whose data directory is on ext4 (4 KiB blocks: files of at most 16 TiB − 4 KiB, mounted
 * for the test from a loop device) refuses volumes that would not fit, through each of its
 * surfaces: REST answers 422 out-of-range and CSI OUT_OF_RANGE, at create and at expand, naming the
 * limit and the file system; a 15 TiB volume is made. Needs root, mkfs.ext4 and mount.
 */
class LargeVolumesApiTest {
    private static final long TiB = 1L << 40;
    private static final String LIMIT = "a volume there holds at most 17592184991744 bytes";

    @TempDir
    Path tmp;
    private Path mountPoint;
    private ApiHarness api;

    @BeforeEach
    void startOnExt4() throws Exception {
        NodeTools.requireRoot();
        NodeTools.require("e2fsprogs", "mkfs.ext4");
        NodeTools.require("mount", "mount", "umount");
        Path image = tmp.resolve("ext4.img");
        try (FileChannel file = FileChannel.open(image, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            file.position((64L << 20) - 1).write(ByteBuffer.wrap(new byte[1]));
        }
        run("mkfs.ext4", "-q", "-F", "-b", "4096", image.toString());
        Path point = Files.createDirectories(tmp.resolve("mnt"));
        run("mount", "-o", "loop", image.toString(), point.toString());
        mountPoint = point;
        api = ApiHarness.start(mountPoint);
    }

    @AfterEach
    void stop() throws Exception {
        if (api != null) {
            api.close();
        }
        if (mountPoint != null) {
            run("umount", mountPoint.toString()); // the loop device goes with it (autoclear)
        }
    }

    @Test
    void restRefusesVolumesOverTheFileSystemsLimitWith422() {
        String detail = assertProblem(api.post("/api/v1/volumes", Map.of("name", "huge", "sizeBytes", 20 * TiB)),
                ProblemType.OUT_OF_RANGE);
        assertThat(detail).contains("(ext4)").contains(LIMIT);
        api.get("/api/v1/volumes/huge").expect(404);

        api.post("/api/v1/volumes", Map.of("name", "big", "sizeBytes", 15 * TiB)).expect(201);
        assertThat(assertProblem(api.post("/api/v1/volumes/big/expand", Map.of("sizeBytes", 20 * TiB)), ProblemType.OUT_OF_RANGE))
                .contains(LIMIT);
        assertThat(api.get("/api/v1/volumes/big").expect(200).get("sizeBytes").asLong()).isEqualTo(15 * TiB);
    }

    @Test
    void csiRefusesThemWithOutOfRange() {
        ServerConfig config = ApiHarness.config(mountPoint);
        try (CsiClient csi = CsiClient.connect(config.csiEndpoint())) {
            VolumeCapability capability = VolumeCapability.newBuilder()
                    .setMount(VolumeCapability.MountVolume.newBuilder().setFsType("ext4"))
                    .setAccessMode(VolumeCapability.AccessMode.newBuilder().setMode(VolumeCapability.AccessMode.Mode.SINGLE_NODE_WRITER))
                    .build();
            assertThatThrownBy(() -> csi.controller().createVolume(CreateVolumeRequest.newBuilder().setName("pvc-huge")
                    .setCapacityRange(CapacityRange.newBuilder().setRequiredBytes(20 * TiB)).addVolumeCapabilities(capability).build()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.OUT_OF_RANGE);
                        assertThat(e.getStatus().getDescription()).contains("(ext4)").contains(LIMIT);
                    });
            assertThat(csi.controller().getCapacity(io.strata.csi.v1.GetCapacityRequest.getDefaultInstance()).getMaximumVolumeSize()
                    .getValue()).as("the largest volume that fits, for the scheduler's capacity tracking").isEqualTo(17592184991744L);
            String id = csi.controller().createVolume(CreateVolumeRequest.newBuilder().setName("pvc-big")
                    .setCapacityRange(CapacityRange.newBuilder().setRequiredBytes(15 * TiB)).addVolumeCapabilities(capability).build())
                    .getVolume().getVolumeId();
            assertThatThrownBy(() -> csi.controller().controllerExpandVolume(ControllerExpandVolumeRequest.newBuilder().setVolumeId(id)
                    .setCapacityRange(CapacityRange.newBuilder().setRequiredBytes(20 * TiB)).build()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.OUT_OF_RANGE));
        }
    }

    private static void run(String... argv) throws Exception {
        Process process = new ProcessBuilder(List.of(argv)).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("%s: %s", String.join(" ", argv), out).isZero();
    }
}
