package io.strata.csi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.strata.backupstore.BackupProgress;
import io.strata.backupstore.format.BackupConfig;
import io.strata.backupstore.format.BackupUrl;
import io.strata.backupstore.format.Compression;
import io.strata.control.BackupService.BackupEntry;
import io.strata.control.VolumeBackups;
import io.strata.csi.v1.CreateSnapshotRequest;
import io.strata.csi.v1.Snapshot;
import io.strata.csi.v1.Volume;
import io.strata.domain.VolumeName;
import io.strata.engine.VolumeStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The user flows of the seed documents, end to end over the CSI socket, with the sidecars' calls:
 * a VolumeSnapshot of each class type, polled until ready; a PVC restored from it and attached once
 * its data is in; every byte compared. Data goes in and comes out through the engine, as the Node
 * service will move it.
 */
class SeedFlowsTest {
    private static final int MiB = 1 << 20;
    private static final int SIZE = 8 * MiB;

    @TempDir
    Path dir;

    private ControllerHarness harness;
    private Sidecars sidecars;
    private byte[] content;

    @BeforeEach
    void start() throws IOException {
        harness = ControllerHarness.start(dir);
        sidecars = new Sidecars(() -> harness.controller());
        content = new byte[SIZE];
        new Random(42).nextBytes(content);
        Arrays.fill(content, 6 * MiB, SIZE, (byte) 0);
    }

    @AfterEach
    void stop() throws Exception {
        harness.close();
    }

    /** A PVC with {@link #content} written into it. */
    private String dataVolume(String uid) throws IOException {
        Volume volume = sidecars.provision("data", uid, SIZE, Optional.empty());
        assertThat(volume.getAccessibleTopologyList()).containsExactly(Sidecars.node(ControllerHarness.NODE));
        harness.write(volume.getVolumeId(), content);
        return volume.getVolumeId();
    }

    /** Restores {@code handle} into a new PVC, attaches it once its data is in, and answers its bytes. */
    private byte[] restore(String handle, String uid, long bytes) throws Exception {
        Volume restored = sidecars.provision("restored", uid, bytes, Optional.of(Sidecars.fromSnapshot(handle)));
        assertThat(restored.getContentSource()).as("echoed").isEqualTo(Sidecars.fromSnapshot(handle));
        assertThat(restored.getCapacityBytes()).isEqualTo(bytes);
        assertThat(sidecars.attach(restored.getVolumeId()).getPublishContextMap())
                .containsEntry(ControllerService.EXPORT_KEY, restored.getVolumeId());
        return harness.read(restored.getVolumeId(), (int) bytes);
    }

    static Stream<Arguments> backupClasses() {
        return Stream.of(
                Arguments.of("the default class, without a type", Map.of()),
                Arguments.of("type bak", Map.of("type", "bak", "csi.storage.k8s.io/snapshotter-secret-name", "s3-creds")),
                Arguments.of("type bak, full, with a label", Map.of("type", "bak", "backupMode", "full", "team", "storage")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backupClasses")
    void aVolumeSnapshotBacksTheVolumeUpAndAPvcRestoredFromItHasItsBytes(String name, Map<String, String> classParameters)
            throws Exception {
        String pvc = dataVolume("u1");
        sidecars.attach(pvc); // in use: backups do not need the volume detached, nor attached
        CreateSnapshotRequest request = Sidecars.snapshotRequest("nightly", "s1", pvc, classParameters);

        Snapshot cut = sidecars.createSnapshot(request);
        assertThat(cut.getSnapshotId()).startsWith("bak://" + pvc + "/backup-");
        assertThat(cut.getReadyToUse()).as("uploaded in the background").isFalse();
        assertThat(cut.getSizeBytes()).isEqualTo(SIZE);
        assertThat(cut.getSourceVolumeId()).isEqualTo(pvc);
        assertThat(Instant.ofEpochSecond(cut.getCreationTime().getSeconds())).isBetween(Instant.now().minusSeconds(60), Instant.now());
        harness.write(pvc, new byte[MiB]); // after the cut: not in the backup

        Snapshot ready = sidecars.awaitReady(request);
        assertThat(ready.getSnapshotId()).isEqualTo(cut.getSnapshotId());
        assertThat(ready.getCreationTime()).as("the time of the cut, from first answer to last").isEqualTo(cut.getCreationTime());
        assertThat(ready.getSizeBytes()).isEqualTo(SIZE);
        assertThat(sidecars.createSnapshot(request)).as("asked again once ready").isEqualTo(ready);

        String backup = ready.getSnapshotId().substring(ready.getSnapshotId().lastIndexOf('/') + 1);
        BackupConfig cfg = harness.backups.inspect(BackupUrl.of(harness.target, pvc, backup).encode()).config();
        assertThat(cfg.snapshotName()).isEqualTo("snapshot-s1");
        assertThat(cfg.labels()).doesNotContainKeys("type", "backupMode", "csi.storage.k8s.io/volumesnapshot/name",
                "csi.storage.k8s.io/snapshotter-secret-name");
        if (classParameters.containsKey("team")) {
            assertThat(cfg.labels()).containsEntry("team", "storage");
            assertThat(cfg.parameters()).containsEntry(BackupConfig.MODE_PARAMETER, "full");
        }

        assertThat(restore(ready.getSnapshotId(), "u2", ready.getSizeBytes())).isEqualTo(content);
        byte[] larger = restore(ready.getSnapshotId(), "u3", 2L * SIZE);
        assertThat(Arrays.copyOf(larger, SIZE)).isEqualTo(content);
        assertThat(Arrays.copyOfRange(larger, SIZE, 2 * SIZE)).containsOnly(0);
        assertThatThrownBy(() -> sidecars.provision("small", "u4", SIZE / 2, Optional.of(Sidecars.fromSnapshot(ready.getSnapshotId()))))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.OUT_OF_RANGE));
    }

    @ParameterizedTest(name = "type {0}")
    @ValueSource(strings = {"ss", "snap"})
    void anInClusterSnapshotIsReadyAtOnceAndAPvcClonedFromItHasItsBytes(String type) throws Exception {
        String pvc = dataVolume("u1"); // detached throughout: snapshots do not need it attached
        CreateSnapshotRequest request = Sidecars.snapshotRequest("before-upgrade", "s1", pvc, Map.of("type", type));
        Snapshot snapshot = sidecars.createSnapshot(request);
        assertThat(snapshot.getSnapshotId()).isEqualTo(type + "://" + pvc + "/snapshot-s1");
        assertThat(snapshot.getReadyToUse()).isTrue();
        assertThat(snapshot.getSizeBytes()).isEqualTo(SIZE);
        assertThat(sidecars.createSnapshot(request)).as("idempotent").isEqualTo(snapshot);
        byte[] later = content.clone();
        Arrays.fill(later, 0, MiB, (byte) 7);
        harness.write(pvc, Arrays.copyOf(later, MiB));

        Volume restored = sidecars.provision("restored", "u2", SIZE, Optional.of(Sidecars.fromSnapshot(snapshot.getSnapshotId())));
        sidecars.attach(restored.getVolumeId()); // retried while the clone copies in the background
        assertThat(harness.read(restored.getVolumeId(), SIZE)).as("the content at the snapshot").isEqualTo(content);

        Volume clone = sidecars.provision("clone", "u3", SIZE, Optional.of(Sidecars.fromVolume(pvc)));
        assertThat(clone.getContentSource()).isEqualTo(Sidecars.fromVolume(pvc));
        sidecars.attach(clone.getVolumeId());
        assertThat(harness.read(clone.getVolumeId(), SIZE)).as("the content now").isEqualTo(later);

        assertThatThrownBy(() -> sidecars.deleteVolume(pvc)).as("the snapshot lives inside the volume")
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION));
        sidecars.deleteSnapshot(snapshot.getSnapshotId()); // deletion policy Delete
        assertThat(sidecars.status(snapshot.getSnapshotId())).isEmpty();
        sidecars.deleteVolume(pvc);
    }

    @Test
    void aBackupMadeOutsideCsiByAnotherServerIsFoundByItsHandleAndRestored() throws Exception {
        VolumeBackups.Made made;
        try (VolumeStore other = VolumeStore.open(dir.resolve("other-server"))) {
            other.create(VolumeName.of("test-vol"), SIZE).writeAt(ByteBuffer.wrap(content), 0);
            made = new VolumeBackups(other, harness.backups).backup(new VolumeBackups.BackupSpec(harness.target,
                    VolumeName.of("test-vol"), Optional.empty(), false, Compression.LZ4, Optional.empty(), Map.of()),
                    new BackupProgress());
        }
        Instant cut = Instant.parse(made.config().snapshotCreatedAt());

        for (String scheme : List.of("bak", "bs")) {
            String handle = scheme + "://test-vol/" + made.config().name();
            assertThat(sidecars.status(handle)).singleElement().satisfies(s -> {
                assertThat(s.getSnapshotId()).isEqualTo(handle);
                assertThat(s.getReadyToUse()).isTrue();
                assertThat(s.getSizeBytes()).isEqualTo(SIZE);
                assertThat(s.getSourceVolumeId()).isEqualTo("test-vol");
                assertThat(s.getCreationTime()).isEqualTo(CsiMessages.timestamp(cut));
            });
            assertThat(restore(handle, "u-" + scheme, SIZE)).isEqualTo(content);
        }

        for (String wrong : List.of("bak://test-vol/backup-0000000000000000", "bak://no-such-vol/" + made.config().name(),
                "ss://test-vol/" + made.config().name(), "test-vol/" + made.config().name(), "bak://test-vol")) {
            assertThat(sidecars.status(wrong)).as("never marked ready: %s", wrong).isEmpty();
        }
        assertThatThrownBy(() -> sidecars.provision("x", "u9", SIZE, Optional.of(Sidecars.fromSnapshot("bak://test-vol/backup-00"))))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
    }

    @Test
    void retainKeepsTheBackupAndDeleteRemovesItWithoutHarmingTheOthers() throws Exception {
        String pvc = dataVolume("u1");
        Snapshot retained = sidecars.awaitReady(Sidecars.snapshotRequest("weekly", "s1", pvc, Map.of("type", "bak")));
        Snapshot deleted = sidecars.awaitReady(Sidecars.snapshotRequest("daily", "s2", pvc, Map.of("type", "bak")));

        // Retain: the VolumeSnapshot and its content go, and no call is made; Delete: DeleteSnapshot
        sidecars.deleteSnapshot(deleted.getSnapshotId());
        sidecars.deleteSnapshot(deleted.getSnapshotId()); // again, as after a sidecar restart: still fine
        assertThat(backupNames(pvc)).containsExactly(name(retained));
        assertThat(sidecars.status(deleted.getSnapshotId())).isEmpty();

        sidecars.deleteVolume(pvc); // backups are not inside the volume: they do not hold it
        assertThat(sidecars.status(retained.getSnapshotId())).singleElement()
                .satisfies(s -> assertThat(s.getReadyToUse()).isTrue());
        assertThat(restore(retained.getSnapshotId(), "u2", SIZE)).as("no block it needs was collected").isEqualTo(content);
    }

    @Test
    void aBackupThatFailsIsAFinalErrorThatSaysWhyAndCanBeDeleted() throws Exception {
        String pvc = dataVolume("u1");
        harness.gate.failing(true);
        CreateSnapshotRequest request = Sidecars.snapshotRequest("doomed", "s1", pvc, Map.of());
        Snapshot cut = sidecars.createSnapshot(request);
        assertThat(cut.getReadyToUse()).isFalse();

        assertThatThrownBy(() -> sidecars.awaitReady(request)).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).as("not retried by the snapshotter").isEqualTo(Status.Code.FAILED_PRECONDITION)
                    .isNotIn(Sidecars.RETRIED);
            assertThat(e.getStatus().getDescription()).contains("failed", "the target refused to store block",
                    "delete this VolumeSnapshot");
        });
        sidecars.deleteSnapshot(cut.getSnapshotId());

        harness.gate.failing(false);
        Snapshot next = sidecars.awaitReady(Sidecars.snapshotRequest("doomed-retry", "s2", pvc, Map.of()));
        assertThat(restore(next.getSnapshotId(), "u2", SIZE)).isEqualTo(content);
    }

    private List<String> backupNames(String volume) throws IOException {
        return harness.backups.backups(harness.target, volume).stream().map(BackupEntry::config).map(BackupConfig::name).toList();
    }

    private static String name(Snapshot snapshot) {
        return snapshot.getSnapshotId().substring(snapshot.getSnapshotId().lastIndexOf('/') + 1);
    }
}
