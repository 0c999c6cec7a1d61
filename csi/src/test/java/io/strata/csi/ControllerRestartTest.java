package io.strata.csi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.strata.backupstore.format.BackupUrl;
import io.strata.csi.v1.ControllerPublishVolumeRequest;
import io.strata.csi.v1.CreateSnapshotRequest;
import io.strata.csi.v1.Snapshot;
import io.strata.csi.v1.Volume;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server stops while a backup, and then a restore, moves blocks; a new one starts on the same
 * data directory and resumes them. Until a resumed backup is complete, CreateSnapshot says not ready,
 * and until a resumed restore is complete, the volume does not attach: nothing half-made ever looks
 * done. Once done, the restored bytes are the volume's at the cut.
 */
class ControllerRestartTest {
    private static final int MiB = 1 << 20;
    private static final int SIZE = 8 * MiB;

    @TempDir
    Path dir;

    /** The server now running, closed after the test whatever happens. */
    private ControllerHarness current;

    @AfterEach
    void stop() throws Exception {
        current.close();
    }

    @Test
    void backupsAndRestoresStoppedWithTheServerAreResumedAndNeverLookDoneBeforeTheyAre() throws Exception {
        ControllerHarness first = current = ControllerHarness.start(dir);
        byte[] content = new byte[SIZE];
        new Random(7).nextBytes(content);
        String pvc = sidecars(first).provision("data", "u1", SIZE, Optional.empty()).getVolumeId();
        first.write(pvc, content);

        first.gate.close();
        CreateSnapshotRequest request = Sidecars.snapshotRequest("nightly", "s1", pvc, Map.of("team", "storage"));
        Snapshot cut = sidecars(first).createSnapshot(request);
        first.gate.awaitWaiting(2); // both block workers hold an upload: the backup is mid-way
        first.write(pvc, new byte[SIZE]); // after the cut, so in no backup

        ControllerHarness second = current = first.restart();
        Sidecars sidecars = sidecars(second);
        assertNotReady(sidecars, request, cut);
        assertThatThrownBy(() -> sidecars.provision("early", "u0", SIZE, Optional.of(Sidecars.fromSnapshot(cut.getSnapshotId()))))
                .as("not restored from before it is complete").isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
        assertThat(second.jobs.resumeAll()).isEqualTo(1);
        second.gate.awaitWaiting(1); // running again, and held again
        assertNotReady(sidecars, request, cut);
        second.gate.open();

        Snapshot ready = sidecars.awaitReady(request);
        assertThat(ready.getSnapshotId()).isEqualTo(cut.getSnapshotId());
        assertThat(ready.getCreationTime()).isEqualTo(cut.getCreationTime());
        String backup = ready.getSnapshotId().substring(ready.getSnapshotId().lastIndexOf('/') + 1);
        assertThat(second.backups.inspect(BackupUrl.of(second.target, pvc, backup).encode()).config().labels())
                .as("the class's labels outlive the restart").containsEntry("team", "storage");

        // a restore stopped mid-way: its volume exists at once, and attaches only once it is filled
        second.gate.close();
        Volume restored = sidecars.provision("restored", "u2", SIZE, Optional.of(Sidecars.fromSnapshot(ready.getSnapshotId())));
        second.gate.awaitWaiting(1);
        ControllerHarness third = current = second.restartAsServer(); // the server resumes it before it serves
        third.gate.awaitWaiting(1);
        assertThatThrownBy(() -> third.controller().controllerPublishVolume(attach(restored)))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
        third.gate.open();
        sidecars(third).attach(restored.getVolumeId());
        assertThat(third.read(restored.getVolumeId(), SIZE)).isEqualTo(content);
    }

    private static void assertNotReady(Sidecars sidecars, CreateSnapshotRequest request, Snapshot cut) {
        Snapshot again = sidecars.createSnapshot(request);
        assertThat(again.getSnapshotId()).isEqualTo(cut.getSnapshotId());
        assertThat(again.getReadyToUse()).isFalse();
        assertThat(sidecars.status(cut.getSnapshotId())).singleElement()
                .satisfies(s -> assertThat(s.getReadyToUse()).isFalse());
    }

    private static Sidecars sidecars(ControllerHarness harness) {
        return new Sidecars(harness::controller);
    }

    private static ControllerPublishVolumeRequest attach(Volume volume) {
        return Sidecars.attachRequest(volume.getVolumeId(), ControllerHarness.NODE);
    }
}
