package io.strata.csi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.strata.csi.v1.Snapshot;
import io.strata.csi.v1.Volume;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CreateVolume from a volume or an in-cluster snapshot over the CSI socket: it answers before any
 * data is copied (the job threads are held busy meanwhile), asked again it answers the same volume,
 * the volume attaches only once its copy is done, and what it copies from cannot be deleted until then.
 */
class CloneFlowsTest {
    private static final int MiB = 1 << 20;
    private static final int SIZE = 16 * MiB;

    @TempDir
    Path dir;

    private ControllerHarness harness;
    private Sidecars sidecars;
    private byte[] content;
    private String pvc;

    @BeforeEach
    void setUp() throws Exception {
        harness = ControllerHarness.start(dir);
        sidecars = new Sidecars(() -> harness.controller());
        content = new byte[SIZE];
        new Random(3).nextBytes(content);
        pvc = sidecars.provision("data", "u1", SIZE, Optional.empty()).getVolumeId();
        harness.write(pvc, content);
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    private static void assertCode(Runnable call, Status.Code code, String message) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(code);
            assertThat(e.getStatus().getDescription()).contains(message);
        });
    }

    @Test
    void aCloneOfASnapshotAnswersAtOnceAndAttachesOnceItHoldsTheSnapshotsBytes() throws Exception {
        Snapshot snapshot = sidecars.createSnapshot(Sidecars.snapshotRequest("before", "s1", pvc, Map.of("type", "ss")));
        byte[] later = content.clone();
        Arrays.fill(later, 0, MiB, (byte) 7);
        harness.write(pvc, Arrays.copyOf(later, MiB)); // after the snapshot: not in the clone

        Runnable release = harness.holdJobs();
        Volume clone = sidecars.provision("clone", "u2", SIZE, Optional.of(Sidecars.fromSnapshot(snapshot.getSnapshotId())));
        assertThat(clone.getCapacityBytes()).isEqualTo(SIZE);
        assertThat(sidecars.provision("clone", "u2", SIZE, Optional.of(Sidecars.fromSnapshot(snapshot.getSnapshotId()))))
                .as("asked again: the same volume").isEqualTo(clone);
        assertCode(() -> harness.controller().controllerPublishVolume(Sidecars.attachRequest(clone.getVolumeId(), ControllerHarness.NODE)),
                Status.Code.UNAVAILABLE, "is still being cloned from snapshot snapshot-s1");
        assertCode(() -> sidecars.deleteSnapshot(snapshot.getSnapshotId()), Status.Code.UNAVAILABLE, "is copying from snapshot snapshot-s1");
        assertCode(() -> sidecars.deleteVolume(pvc), Status.Code.UNAVAILABLE, "is copying from volume '" + pvc + "'");

        release.run();
        sidecars.attach(clone.getVolumeId());
        assertThat(harness.read(clone.getVolumeId(), SIZE)).isEqualTo(content);
        sidecars.deleteSnapshot(snapshot.getSnapshotId());
        assertThat(sidecars.status(snapshot.getSnapshotId())).isEmpty();
    }

    @Test
    void aCloneOfAVolumeAnswersAtOnceAndHoldsTheVolumesBytesAtTheCall() throws Exception {
        Runnable release = harness.holdJobs();
        Volume clone = sidecars.provision("clone", "u2", 2L * SIZE, Optional.of(Sidecars.fromVolume(pvc)));
        assertThat(clone.getContentSource()).isEqualTo(Sidecars.fromVolume(pvc));
        assertThat(clone.getCapacityBytes()).as("its final size at once").isEqualTo(2L * SIZE);
        harness.write(pvc, new byte[MiB]); // after the call: not in the clone
        assertCode(() -> harness.controller().controllerPublishVolume(Sidecars.attachRequest(clone.getVolumeId(), ControllerHarness.NODE)),
                Status.Code.UNAVAILABLE, "is still being cloned from volume '" + pvc + "'");

        release.run();
        sidecars.attach(clone.getVolumeId());
        byte[] copied = harness.read(clone.getVolumeId(), 2 * SIZE);
        assertThat(Arrays.copyOf(copied, SIZE)).isEqualTo(content);
        assertThat(Arrays.copyOfRange(copied, SIZE, 2 * SIZE)).containsOnly(0);
        sidecars.deleteVolume(pvc); // nothing copies from it any more
    }

    @Test
    void deletingAVolumeStillBeingClonedCancelsTheClone() throws Exception {
        Runnable release = harness.holdJobs();
        Volume clone = sidecars.provision("clone", "u3", SIZE, Optional.of(Sidecars.fromVolume(pvc)));
        var releasing = java.util.concurrent.CompletableFuture.runAsync(() -> {
            try {
                Thread.sleep(200); // DeleteVolume is waiting for the job by then
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            release.run();
        });
        sidecars.deleteVolume(clone.getVolumeId());
        releasing.get();
        assertCode(() -> harness.controller().controllerPublishVolume(Sidecars.attachRequest(clone.getVolumeId(), ControllerHarness.NODE)),
                Status.Code.NOT_FOUND, "does not exist");
        sidecars.deleteVolume(pvc); // the clone let go of its source
    }
}
