package io.strata.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.backupstore.BackupProgress;
import io.strata.backupstore.BackupTargets;
import io.strata.backupstore.format.BackupUrl;
import io.strata.backupstore.format.Compression;
import io.strata.backupstore.target.NfsMount;
import io.strata.control.SnapshotService.Kind;
import io.strata.control.SnapshotService.SnapshotView;
import io.strata.control.VolumeService.Source;
import io.strata.control.job.JobRecord;
import io.strata.control.job.Jobs;
import io.strata.control.state.StateStore;
import io.strata.domain.SnapshotHandle;
import io.strata.domain.SnapshotName;
import io.strata.domain.StrataException;
import io.strata.domain.VolumeName;
import io.strata.engine.Volume;
import io.strata.engine.VolumeStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The volume and snapshot use cases CSI translates: provisioning from every source, attachment, snapshots and backups. */
class ClusterUseCasesTest {
    private static final int MiB = 1 << 20;

    @TempDir
    Path tmp;

    private final ScheduledExecutorService executor = Executors.newScheduledThreadPool(2);
    private VolumeStore store;
    private BackupService backups;
    private Jobs jobs;
    private VolumeService volumes;
    private SnapshotService snapshots;
    private String target;
    private byte[] content;
    private final GatedTarget.Gate gate = new GatedTarget.Gate();

    @BeforeEach
    void setUp() throws IOException {
        Path data = tmp.resolve("data");
        store = VolumeStore.open(data);
        target = "file://" + Files.createDirectories(tmp.resolve("backups"));
        BackupTargets real = new BackupTargets(Map.of(), tmp.resolve("mounts"), NfsMount.system());
        backups = new BackupService(url -> new GatedTarget(real.open(url), gate), Duration.ZERO, executor, 2);
        StateStore state = new StateStore(data.resolve("state"));
        KeyedLocks locks = new KeyedLocks();
        jobs = new Jobs(store, backups, state.table("jobs", JobRecord.class), executor, Clock.systemUTC(),
                List.of(Duration.ofMillis(50)));
        volumes = new VolumeService(store, jobs, locks, state, data, target, Clock.systemUTC());
        snapshots = new SnapshotService(store, backups, jobs, locks, target);
        volumes.create(VolumeName.of("pvc-1"), 8 * MiB, 0, new Source.Empty());
        content = new byte[8 * MiB];
        new Random(9).nextBytes(content);
        Arrays.fill(content, 6 * MiB, 8 * MiB, (byte) 0);
        store.open(VolumeName.of("pvc-1")).writeAt(ByteBuffer.wrap(content, 0, 6 * MiB), 0);
    }

    @AfterEach
    void tearDown() throws IOException {
        executor.shutdownNow();
        store.close();
    }

    private byte[] read(String volume, int length) throws IOException {
        Volume v = store.open(VolumeName.of(volume));
        ByteBuffer all = ByteBuffer.allocate(length);
        v.readAt(all, 0);
        return all.array();
    }

    private static <T> T eventually(Supplier<Optional<T>> probe) throws InterruptedException {
        for (int i = 0; i < 500; i++) {
            Optional<T> value = probe.get();
            if (value.isPresent()) {
                return value.get();
            }
            Thread.sleep(20);
        }
        throw new AssertionError("never happened");
    }

    private SnapshotView ready(SnapshotHandle handle) throws InterruptedException {
        return eventually(() -> {
            try {
                return snapshots.find(handle).filter(v -> v.ready() || v.error().isPresent());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    @Test
    void provisioningIsIdempotentByNameAndSizesFollowTheRules() throws IOException {
        assertThat(volumes.create(VolumeName.of("empty"), 0, 0, new Source.Empty()).info().size()).isEqualTo(VolumeService.DEFAULT_SIZE);
        assertThat(volumes.create(VolumeName.of("odd"), 5000, 0, new Source.Empty()).info().size()).isEqualTo(8192);
        assertThat(volumes.create(VolumeName.of("odd"), 4096, 8192, new Source.Empty()).info().size()).as("compatible again").isEqualTo(8192);
        assertThatThrownBy(() -> volumes.create(VolumeName.of("odd"), 16384, 0, new Source.Empty()))
                .isExactlyInstanceOf(StrataException.AlreadyExists.class).hasMessageContaining("outside the requested range");
        assertThatThrownBy(() -> volumes.create(VolumeName.of("odd"), 8192, 0, new Source.OfVolume(VolumeName.of("pvc-1"))))
                .isExactlyInstanceOf(StrataException.AlreadyExists.class).hasMessageContaining("not from volume:pvc-1");
        assertThatThrownBy(() -> volumes.create(VolumeName.of("xx"), 10, 5, new Source.Empty()))
                .isExactlyInstanceOf(StrataException.InvalidArgument.class);
        assertThatThrownBy(() -> volumes.create(VolumeName.of("xx"), 5000, 6000, new Source.Empty()))
                .isExactlyInstanceOf(StrataException.OutOfRange.class);
        volumes.delete(VolumeName.of("odd"));
        volumes.delete(VolumeName.of("odd"));
        assertThat(volumes.view(VolumeName.of("odd"))).isEmpty();
    }

    private void awaitCopied(String volume) throws InterruptedException {
        eventually(() -> {
            try {
                return volumes.view(VolumeName.of(volume)).filter(VolumeService.VolumeView::ready);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    @Test
    void clonesOfVolumesAndSnapshotsAtTheSourceSizeOrLarger() throws Exception {
        SnapshotView ss = snapshots.create(SnapshotName.of("snapshot-a"), VolumeName.of("pvc-1"), Kind.SS, false, Map.of());
        assertThat(ss.handle().value()).isEqualTo("ss://pvc-1/snapshot-a");
        assertThat(ss.ready()).isTrue();
        store.open(VolumeName.of("pvc-1")).writeAt(ByteBuffer.wrap(new byte[MiB]), 0); // after the snapshot

        volumes.create(VolumeName.of("from-snap"), 16 * MiB, 0, new Source.OfSnapshot(ss.handle()));
        assertThat(store.info(VolumeName.of("from-snap")).size()).isEqualTo(16 * MiB);
        awaitCopied("from-snap");
        assertThat(read("from-snap", 8 * MiB)).isEqualTo(content);
        volumes.create(VolumeName.of("from-vol"), 0, 0, new Source.OfVolume(VolumeName.of("pvc-1")));
        awaitCopied("from-vol");
        assertThat(read("from-vol", MiB)).containsOnly(0);

        assertThatThrownBy(() -> volumes.create(VolumeName.of("small"), 4 * MiB, 0, new Source.OfSnapshot(ss.handle())))
                .isExactlyInstanceOf(StrataException.OutOfRange.class);
        assertThatThrownBy(() -> volumes.create(VolumeName.of("lost"), 0, 0, new Source.OfSnapshot(SnapshotHandle.parse("ss://pvc-1/nope"))))
                .isExactlyInstanceOf(StrataException.NotFound.class);
        assertThatThrownBy(() -> volumes.create(VolumeName.of("lost"), 0, 0, new Source.OfVolume(VolumeName.of("pvc-none"))))
                .isExactlyInstanceOf(StrataException.NotFound.class);
        assertThat(store.exists(VolumeName.of("small"))).isFalse();
        assertThat(store.exists(VolumeName.of("lost"))).isFalse();
    }

    @Test
    void aBackupSnapshotBecomesReadyAndAVolumeRestoredFromItAttachesOnceItIsFilled() throws Exception {
        SnapshotView started = snapshots.create(SnapshotName.of("snapshot-b"), VolumeName.of("pvc-1"), Kind.BAK, false, Map.of());
        assertThat(started.handle()).isInstanceOf(SnapshotHandle.Backup.class);
        assertThat(started.sizeBytes()).isEqualTo(8 * MiB);
        SnapshotView done = ready(started.handle());
        assertThat(done.ready()).as("error: %s", done.error()).isTrue();
        assertThat(snapshots.create(SnapshotName.of("snapshot-b"), VolumeName.of("pvc-1"), Kind.BAK, false, Map.of()).handle())
                .isEqualTo(started.handle());
        assertThatThrownBy(() -> snapshots.create(SnapshotName.of("snapshot-b"), VolumeName.of("pvc-1"), Kind.SS, false, Map.of()))
                .isExactlyInstanceOf(StrataException.AlreadyExists.class);
        assertThat(snapshots.listByVolume(VolumeName.of("pvc-1"))).extracting(v -> v.handle().value())
                .containsExactly(started.handle().value());

        volumes.create(VolumeName.of("restored"), 8 * MiB, 0, new Source.OfSnapshot(started.handle()));
        VolumeService.Attachment attached = eventually(() -> {
            try {
                return Optional.of(volumes.publish(VolumeName.of("restored"), "node-a", false));
            } catch (StrataException.Unavailable restoring) {
                return Optional.empty();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertThat(attached.node()).isEqualTo("node-a");
        assertThat(read("restored", 8 * MiB)).isEqualTo(content);
        assertThat(volumes.publish(VolumeName.of("restored"), "node-a", false)).isEqualTo(attached);
        assertThatThrownBy(() -> volumes.publish(VolumeName.of("restored"), "node-a", true))
                .as("attached here in the other mode").isExactlyInstanceOf(StrataException.AlreadyExists.class);
        assertThatThrownBy(() -> volumes.publish(VolumeName.of("restored"), "node-b", false))
                .isExactlyInstanceOf(StrataException.FailedPrecondition.class);
        assertThatThrownBy(() -> volumes.delete(VolumeName.of("restored")))
                .isExactlyInstanceOf(StrataException.FailedPrecondition.class).hasMessageContaining("detach it first");
        volumes.unpublish(VolumeName.of("restored"), "node-a");
        volumes.delete(VolumeName.of("restored"));

        snapshots.delete(started.handle());
        assertThat(snapshots.find(started.handle())).isEmpty();
        assertThat(store.open(VolumeName.of("pvc-1")).snapshots()).as("the snapshot cut for the backup goes with it").isEmpty();
        snapshots.delete(started.handle());
    }

    @Test
    void aBackupMadeOutsideCsiIsFoundByItsHandleAndAWrongHandleIsNot() throws Exception {
        VolumeBackups made = new VolumeBackups(store, backups);
        VolumeBackups.Made backup = made.backup(new VolumeBackups.BackupSpec(target, VolumeName.of("pvc-1"), Optional.empty(), false,
                Compression.LZ4, Optional.empty(), Map.of()), new BackupProgress());
        SnapshotHandle handle = SnapshotHandle.parse("bs://pvc-1/" + backup.config().name());
        SnapshotView found = snapshots.find(handle).orElseThrow();
        assertThat(found.ready()).isTrue();
        assertThat(found.sizeBytes()).isEqualTo(8 * MiB);
        assertThat(found.sourceVolume()).isEqualTo("pvc-1");
        assertThat(snapshots.find(SnapshotHandle.parse("bak://pvc-1/backup-0000000000000000"))).isEmpty();
        assertThat(snapshots.find(SnapshotHandle.parse("bak://pvc-9/backup-0000000000000000"))).isEmpty();

        volumes.delete(VolumeName.of("pvc-1"));
        assertThat(snapshots.listAll()).as("backups outlive their volume").extracting(v -> v.handle().value())
                .containsExactly("bak://pvc-1/" + backup.config().name());
    }

    private void awaitGate(int waiting) throws InterruptedException {
        for (int i = 0; i < 500 && gate.waiting() < waiting; i++) {
            Thread.sleep(10);
        }
        assertThat(gate.waiting()).isGreaterThanOrEqualTo(waiting);
    }

    @Test
    void aVolumeWithInClusterSnapshotsIsKeptUntilTheyAreDeletedButBackupsOutliveIt() throws Exception {
        SnapshotView ss = snapshots.create(SnapshotName.of("snapshot-s"), VolumeName.of("pvc-1"), Kind.SNAP, false, Map.of("app", "db"));
        assertThat(ss.handle().value()).isEqualTo("snap://pvc-1/snapshot-s");
        assertThat(store.open(VolumeName.of("pvc-1")).snapshot(SnapshotName.of("snapshot-s")).labels()).containsEntry("app", "db");
        assertThat(snapshots.create(SnapshotName.of("snapshot-s"), VolumeName.of("pvc-1"), Kind.SNAP, false, Map.of()))
                .as("the same request again").isEqualTo(ss);
        SnapshotView bak = ready(snapshots.create(SnapshotName.of("snapshot-b"), VolumeName.of("pvc-1"), Kind.BAK, false, Map.of()).handle());
        assertThat(bak.ready()).isTrue();

        assertThatThrownBy(() -> volumes.delete(VolumeName.of("pvc-1")))
                .isExactlyInstanceOf(StrataException.FailedPrecondition.class).hasMessageContaining("[snapshot-s]");
        assertThat(snapshots.find(ss.handle())).as("nothing was touched").isPresent();
        snapshots.delete(ss.handle());
        volumes.delete(VolumeName.of("pvc-1"));
        assertThat(snapshots.find(bak.handle()).orElseThrow().ready()).isTrue();
        assertThat(snapshots.create(SnapshotName.of("snapshot-b"), VolumeName.of("pvc-1"), Kind.BAK, false, Map.of()).ready())
                .as("a finished backup answers even once its volume is gone").isTrue();
    }

    @Test
    void aDeletionWithSnapshotsThatIsRefusedDeletesNoSnapshot() throws Exception {
        SnapshotView ss = snapshots.create(SnapshotName.of("snapshot-s"), VolumeName.of("pvc-1"), Kind.SNAP, false, Map.of());
        gate.close();
        SnapshotView bak = snapshots.create(SnapshotName.of("snapshot-b"), VolumeName.of("pvc-1"), Kind.BAK, false, Map.of());
        awaitGate(1);
        assertThatThrownBy(() -> volumes.delete(VolumeName.of("pvc-1"), true)).isExactlyInstanceOf(StrataException.Unavailable.class)
                .hasMessageContaining("still being made");
        assertThat(snapshots.find(ss.handle())).as("checked before anything was deleted").isPresent();
        gate.open();
        volumes.publish(VolumeName.of("pvc-1"), "node-a", false);
        assertThatThrownBy(() -> volumes.delete(VolumeName.of("pvc-1"), true))
                .isExactlyInstanceOf(StrataException.FailedPrecondition.class).hasMessageContaining("detach");
        assertThat(snapshots.find(ss.handle())).isPresent();
        volumes.unpublish(VolumeName.of("pvc-1"), "node-a");

        ready(bak.handle());
        volumes.delete(VolumeName.of("pvc-1"), true);
        assertThat(volumes.view(VolumeName.of("pvc-1"))).isEmpty();
        assertThat(snapshots.find(ss.handle())).isEmpty();
    }

    @Test
    void aNewVolumeNeedsANameOfTwoCharactersOrMoreForItsBackups() {
        assertThatThrownBy(() -> volumes.create(VolumeName.of("a"), 8 * MiB, 0, new Source.Empty()))
                .isExactlyInstanceOf(StrataException.InvalidArgument.class).hasMessageContaining("at least 2");
        assertThat(store.exists(VolumeName.of("a"))).isFalse();
    }

    @Test
    void ofConcurrentCreatesOfOneNewNameExactlyOneSucceeds() throws Exception {
        int callers = 16;
        java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(callers);
        List<java.util.concurrent.Future<String>> answers = new java.util.ArrayList<>();
        try (var pool = Executors.newFixedThreadPool(callers)) {
            for (int i = 0; i < callers; i++) {
                answers.add(pool.submit(() -> {
                    start.await();
                    try {
                        volumes.createNew(VolumeName.of("one"), 8 * MiB, 0, new Source.Empty());
                        return "created";
                    } catch (StrataException.AlreadyExists e) {
                        return "exists";
                    }
                }));
            }
            List<String> outcomes = new java.util.ArrayList<>();
            for (var answer : answers) {
                outcomes.add(answer.get(30, java.util.concurrent.TimeUnit.SECONDS));
            }
            assertThat(outcomes).filteredOn("created"::equals).hasSize(1);
            assertThat(outcomes).filteredOn("exists"::equals).hasSize(callers - 1);
        }
        assertThat(volumes.create(VolumeName.of("one"), 8 * MiB, 0, new Source.Empty()).info().size())
                .as("create, unlike createNew, answers the same request with what is there").isEqualTo(8 * MiB);
    }

    @Test
    void whileABackupIsMadeItCannotBeRestoredNorItsVolumeDeleted() throws Exception {
        gate.close();
        SnapshotView started = snapshots.create(SnapshotName.of("snapshot-b"), VolumeName.of("pvc-1"), Kind.BAK, false, Map.of("k", "v"));
        awaitGate(1);
        assertThatThrownBy(() -> volumes.create(VolumeName.of("restored"), 0, 0, new Source.OfSnapshot(started.handle())))
                .isExactlyInstanceOf(StrataException.Unavailable.class).hasMessageContaining("still being made");
        assertThatThrownBy(() -> volumes.delete(VolumeName.of("pvc-1"))).isExactlyInstanceOf(StrataException.Unavailable.class);
        SnapshotHandle legacy = SnapshotHandle.parse(started.handle().value().replace("bak://", "bs://"));
        SnapshotView running = snapshots.find(legacy).orElseThrow();
        assertThat(running.handle()).as("named as asked").isEqualTo(legacy);
        assertThat(running.ready()).isFalse();
        assertThat(running.created()).isEqualTo(started.created());
        gate.open();

        SnapshotView done = ready(started.handle());
        assertThat(done.ready()).isTrue();
        assertThat(done.created()).as("the time does not move when the backup completes").isEqualTo(started.created());
        assertThat(done.sizeBytes()).isEqualTo(started.sizeBytes());
        backups.delete(BackupUrl.of(target, "pvc-1", ((SnapshotHandle.Backup) started.handle()).backup()).encode());
        SnapshotView lost = snapshots.create(SnapshotName.of("snapshot-b"), VolumeName.of("pvc-1"), Kind.BAK, false, Map.of());
        assertThat(lost.ready()).as("a job's record alone never makes a backup ready").isFalse();
        assertThat(lost.error()).get().asString().contains("no longer in the backup target");
    }

    @Test
    void deletingABackupBeingMadeCancelsItAndLeavesNothingInTheTarget() throws Exception {
        SnapshotView kept = ready(snapshots.create(SnapshotName.of("snapshot-a"), VolumeName.of("pvc-1"), Kind.BAK, false, Map.of()).handle());
        store.open(VolumeName.of("pvc-1")).writeAt(ByteBuffer.wrap(new byte[] {1, 2, 3}), 7 * MiB); // one block more to upload
        gate.close();
        SnapshotView started = snapshots.create(SnapshotName.of("snapshot-b"), VolumeName.of("pvc-1"), Kind.BAK, true, Map.of());
        awaitGate(1);
        var deleting = java.util.concurrent.CompletableFuture.runAsync(() -> {
            try {
                snapshots.delete(started.handle());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        // the cancel is asked while the upload is held: the upload is interrupted (a write is whole or not there), so
        // the deletion does not wait for a store that may never answer
        deleting.get(10, java.util.concurrent.TimeUnit.SECONDS);
        gate.open();

        String backup = ((SnapshotHandle.Backup) started.handle()).backup();
        assertThat(snapshots.find(started.handle())).as("gone, not failed").isEmpty();
        assertThat(backups.backups(target, "pvc-1")).extracting(b -> b.config().name())
                .containsExactly(((SnapshotHandle.Backup) kept.handle()).backup()).doesNotContain(backup);
        assertThat(store.open(VolumeName.of("pvc-1")).snapshots()).as("the snapshot cut for it goes too")
                .noneMatch(s -> backup.equals(s.labels().get(VolumeBackups.BACKUP_LABEL)));
        assertThat(backups.verify(BackupUrl.of(target, "pvc-1", ((SnapshotHandle.Backup) kept.handle()).backup()).encode()))
                .as("the other backup keeps every block").isEmpty();
        Path blocks = tmp.resolve("backups").resolve(io.strata.backupstore.format.StoreLayout.blocksDirectory("pvc-1"));
        long stored;
        try (var files = Files.walk(blocks)) {
            stored = files.filter(f -> f.toString().endsWith(".blk")).count();
        }
        assertThat(stored).as("no orphan block of the cancelled backup").isEqualTo(
                backups.inspect(BackupUrl.of(target, "pvc-1", ((SnapshotHandle.Backup) kept.handle()).backup()).encode())
                        .config().blocks().stream().map(b -> b.checksum()).distinct().count());
        assertThat(read("pvc-1", 6 * MiB)).as("the volume is untouched").isEqualTo(Arrays.copyOf(content, 6 * MiB));
        assertThat(ready(snapshots.create(SnapshotName.of("snapshot-b"), VolumeName.of("pvc-1"), Kind.BAK, false, Map.of()).handle())
                .ready()).as("the name can be used again").isTrue();
    }

    @Test
    void deletingAVolumeBeingRestoredCancelsTheRestoreAndTheBackupStays() throws Exception {
        SnapshotView done = ready(snapshots.create(SnapshotName.of("snapshot-b"), VolumeName.of("pvc-1"), Kind.BAK, false, Map.of()).handle());
        gate.close();
        volumes.create(VolumeName.of("restored"), 0, 0, new Source.OfSnapshot(done.handle()));
        awaitGate(1);
        var deleting = java.util.concurrent.CompletableFuture.runAsync(() -> {
            try {
                volumes.delete(VolumeName.of("restored"));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        // the download waiting on the store is interrupted (it leaves nothing half written): the deletion does not
        // wait for a store that may never answer
        deleting.get(10, java.util.concurrent.TimeUnit.SECONDS);
        gate.open();

        assertThat(store.exists(VolumeName.of("restored"))).isFalse();
        assertThat(jobs.restore("restored")).as("the job goes with its volume").isEmpty();
        String backup = ((SnapshotHandle.Backup) done.handle()).backup();
        assertThat(backups.verify(BackupUrl.of(target, "pvc-1", backup).encode())).as("the backup is whole").isEmpty();
        volumes.create(VolumeName.of("restored"), 0, 0, new Source.OfSnapshot(done.handle()));
        eventually(() -> {
            try {
                return volumes.view(VolumeName.of("restored")).filter(VolumeService.VolumeView::ready);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertThat(read("restored", 8 * MiB)).as("restored again, whole").isEqualTo(content);
    }

    @Test
    void aVolumeBeingRestoredOrBadlyRestoredIsNeitherSnapshottedNorClonedAndItsBackupStays() throws Exception {
        SnapshotView done = ready(snapshots.create(SnapshotName.of("snapshot-b"), VolumeName.of("pvc-1"), Kind.BAK, false, Map.of()).handle());
        gate.close();
        volumes.create(VolumeName.of("restored"), 0, 0, new Source.OfSnapshot(done.handle()));
        awaitGate(1);
        assertThatThrownBy(() -> snapshots.create(SnapshotName.of("snapshot-r"), VolumeName.of("restored"), Kind.SS, false, Map.of()))
                .isExactlyInstanceOf(StrataException.Unavailable.class).hasMessageContaining("can be snapshotted once");
        assertThatThrownBy(() -> volumes.create(VolumeName.of("copy"), 0, 0, new Source.OfVolume(VolumeName.of("restored"))))
                .isExactlyInstanceOf(StrataException.Unavailable.class).hasMessageContaining("can be cloned once");
        assertThatThrownBy(() -> snapshots.delete(done.handle()))
                .isExactlyInstanceOf(StrataException.Unavailable.class).hasMessageContaining("being restored");
        gate.open();
        eventually(() -> {
            try {
                return volumes.view(VolumeName.of("restored")).filter(VolumeService.VolumeView::ready);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });

        // a restore that fails leaves a volume nothing may be made from
        Path blocks = tmp.resolve("backups").resolve(io.strata.backupstore.format.StoreLayout.blocksDirectory("pvc-1"));
        try (var files = java.nio.file.Files.walk(blocks)) {
            files.filter(java.nio.file.Files::isRegularFile).forEach(f -> f.toFile().delete());
        }
        volumes.create(VolumeName.of("broken"), 0, 0, new Source.OfSnapshot(done.handle()));
        eventually(() -> {
            try {
                return jobs.restore("broken").filter(s -> s.record().state() == JobRecord.State.ERROR);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertThatThrownBy(() -> snapshots.create(SnapshotName.of("snapshot-x"), VolumeName.of("broken"), Kind.SS, false, Map.of()))
                .isExactlyInstanceOf(StrataException.FailedPrecondition.class).hasMessageContaining("could not be restored");
        assertThatThrownBy(() -> volumes.create(VolumeName.of("copy"), 0, 0, new Source.OfVolume(VolumeName.of("broken"))))
                .isExactlyInstanceOf(StrataException.FailedPrecondition.class);
    }
}
