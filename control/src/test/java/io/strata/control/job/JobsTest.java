package io.strata.control.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.backupstore.BackupTargets;
import io.strata.backupstore.format.BackupConfig;
import io.strata.backupstore.format.BackupUrl;
import io.strata.backupstore.format.ConfigCodec;
import io.strata.backupstore.format.StoreLayout;
import io.strata.backupstore.target.NfsMount;
import io.strata.control.BackupService;
import io.strata.control.GatedTarget;
import io.strata.control.state.StateStore;
import io.strata.domain.SnapshotName;
import io.strata.domain.StrataException;
import io.strata.domain.VolumeName;
import io.strata.engine.Volume;
import io.strata.engine.VolumeStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Backup and restore jobs: they run in the background, are idempotent by name, and resume after a restart. */
class JobsTest {
    private static final int MiB = 1 << 20;
    private static final List<Duration> FAST_RETRIES = List.of(Duration.ofMillis(50), Duration.ofMillis(50));

    @TempDir
    Path tmp;

    private final ScheduledExecutorService executor = Executors.newScheduledThreadPool(2);
    private VolumeStore volumes;
    private BackupService backups;
    private String target;
    private byte[] content;

    @BeforeEach
    void setUp() throws IOException {
        volumes = VolumeStore.open(tmp.resolve("data"));
        backups = new BackupService(new BackupTargets(Map.of(), tmp.resolve("mounts"), NfsMount.system()), Duration.ZERO,
                executor, 2);
        target = "file://" + Files.createDirectories(tmp.resolve("backups"));
        content = new byte[8 * MiB];
        new Random(5).nextBytes(content);
        Volume volume = volumes.create(VolumeName.of("pvc-1"), 8 * MiB);
        volume.writeAt(ByteBuffer.wrap(content, 0, 5 * MiB), 0);
        java.util.Arrays.fill(content, 5 * MiB, 8 * MiB, (byte) 0);
    }

    @AfterEach
    void tearDown() throws IOException {
        executor.shutdownNow();
        volumes.close();
    }

    private Jobs jobs() throws IOException {
        return new Jobs(volumes, backups, new StateStore(tmp.resolve("data/state")).table("jobs", JobRecord.class), executor,
                Clock.systemUTC(), FAST_RETRIES);
    }

    private static Jobs.Status await(Jobs jobs, String id) throws Exception {
        for (int i = 0; i < 600; i++) {
            Jobs.Status status = (id.startsWith("snapshot") ? jobs.backup(id) : jobs.restore(id)).orElseThrow();
            if (status.record().state() != JobRecord.State.RUNNING) {
                return status;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("job " + id + " did not end");
    }

    private byte[] read(String volume) throws IOException {
        Volume v = volumes.open(VolumeName.of(volume));
        ByteBuffer all = ByteBuffer.allocate((int) v.size());
        v.readAt(all, 0);
        return all.array();
    }

    @Test
    void aBackupJobCutsItsSnapshotAtOnceAndARestoreJobBringsItBack() throws Exception {
        Jobs jobs = jobs();
        Jobs.Status started = jobs.startBackup(SnapshotName.of("snapshot-1"), VolumeName.of("pvc-1"), target, false, Map.of("a", "b"));
        assertThat(started.record().backup()).matches("backup-[0-9a-f]{16}");
        // writes after the call are not in the backup: the snapshot was taken before it returned
        volumes.open(VolumeName.of("pvc-1")).writeAt(ByteBuffer.wrap(new byte[MiB]), 0);

        Jobs.Status done = await(jobs, "snapshot-1");
        assertThat(done.record().state()).isEqualTo(JobRecord.State.COMPLETE);
        assertThat(done.percent()).isEqualTo(100);
        assertThat(jobs.startBackup(SnapshotName.of("snapshot-1"), VolumeName.of("pvc-1"), target, false, Map.of()).record())
                .as("the same name again: the same job").isEqualTo(done.record());

        BackupUrl url = BackupUrl.of(target, "pvc-1", done.record().backup());
        Jobs.Status restore = jobs.startRestore(VolumeName.of("pvc-2"), url, Optional.of(16L * MiB));
        assertThat(volumes.exists(VolumeName.of("pvc-2"))).as("the volume exists when the call returns").isTrue();
        assertThat(await(jobs, "pvc-2").record().state()).isEqualTo(JobRecord.State.COMPLETE);
        byte[] restored = read("pvc-2");
        assertThat(java.util.Arrays.copyOf(restored, 8 * MiB)).isEqualTo(content);
        assertThat(restored).hasSize(16 * MiB);
        assertThat(jobs.startRestore(VolumeName.of("pvc-2"), url, Optional.of(16L * MiB)).record().state())
                .isEqualTo(JobRecord.State.COMPLETE);
    }

    @Test
    void aRestoreRecordACrashLeftWithoutItsVolumeIsReplacedByTheNextRequest() throws Exception {
        Jobs jobs = jobs();
        String backup = await(jobs, jobs.startBackup(SnapshotName.of("snapshot-1"), VolumeName.of("pvc-1"), target, false, Map.of())
                .record().id()).record().backup();
        BackupUrl url = BackupUrl.of(target, "pvc-1", backup);
        // the record goes before the volume (so that readers see the volume is being filled): a crash between leaves this
        JobRecord orphan = new JobRecord("back", JobRecord.Kind.RESTORE, JobRecord.State.RUNNING, "back", "pvc-1", target, backup,
                null, Instant.now(), null, null, 0, 8L * MiB);
        new StateStore(tmp.resolve("data/state")).table("jobs", JobRecord.class).put(Jobs.key(orphan), orphan);

        Jobs restarted = jobs();
        restarted.startRestore(VolumeName.of("back"), url, Optional.empty());
        assertThat(volumes.exists(VolumeName.of("back"))).as("the volume exists when the call returns").isTrue();
        assertThat(await(restarted, "back").record().state()).isEqualTo(JobRecord.State.COMPLETE);
        assertThat(read("back")).isEqualTo(content);
    }

    @Test
    void namesAreIdempotentPerSourceAndBadRequestsFailAtOnce() throws Exception {
        Jobs jobs = jobs();
        volumes.create(VolumeName.of("pvc-other"), 4 * MiB);
        jobs.startBackup(SnapshotName.of("snapshot-1"), VolumeName.of("pvc-1"), target, false, Map.of());
        assertThatThrownBy(() -> jobs.startBackup(SnapshotName.of("snapshot-1"), VolumeName.of("pvc-other"), target, false, Map.of()))
                .isExactlyInstanceOf(StrataException.AlreadyExists.class);
        assertThatThrownBy(() -> jobs.startBackup(SnapshotName.of("snapshot-2"), VolumeName.of("pvc-none"), target, false, Map.of()))
                .isExactlyInstanceOf(StrataException.NotFound.class);
        String backup = await(jobs, "snapshot-1").record().backup();
        BackupUrl url = BackupUrl.of(target, "pvc-1", backup);
        assertThatThrownBy(() -> jobs.startRestore(VolumeName.of("small"), url, Optional.of((long) MiB)))
                .isExactlyInstanceOf(StrataException.OutOfRange.class);
        assertThatThrownBy(() -> jobs.startRestore(VolumeName.of("x"), BackupUrl.of(target, "pvc-1", "backup-nope"), Optional.empty()))
                .isExactlyInstanceOf(StrataException.NotFound.class);
        assertThat(volumes.exists(VolumeName.of("small"))).isFalse();
    }

    @Test
    void aJobRunningWhenTheProcessStoppedIsResumedEvenOverItsOwnLeftovers() throws Exception {
        // what a process that died mid-backup leaves: a RUNNING record, the snapshot, an in-progress cfg and its lock
        Volume volume = volumes.open(VolumeName.of("pvc-1"));
        volume.createSnapshot(SnapshotName.of("snapshot-9"), Map.of(), true);
        String backup = "backup-00000000000000a9";
        StateStore.Table<JobRecord> table = new StateStore(tmp.resolve("data/state")).table("jobs", JobRecord.class);
        table.put("backup@snapshot-9", new JobRecord("snapshot-9", JobRecord.Kind.BACKUP, JobRecord.State.RUNNING, "pvc-1", "snapshot-9",
                target, backup, "incremental", Instant.now(), null, null, 0, 0));
        Path store = tmp.resolve("backups");
        Path cfg = store.resolve(StoreLayout.backupConfig("pvc-1", backup));
        Path lock = store.resolve(StoreLayout.lock("pvc-1", "lock-00000000000000aa"));
        Files.createDirectories(cfg.getParent());
        Files.createDirectories(lock.getParent());
        Files.write(cfg, ConfigCodec.encode(new BackupConfig(backup, "pvc-1", "", "", "", 0, null,
                Map.of("strata-lock", "lock-00000000000000aa"), false, "lz4", 0, 0, null, null)));
        Files.writeString(lock, "{\"Name\":\"lock-00000000000000aa\",\"Type\":1,\"Acquired\":true}");
        Files.setLastModifiedTime(lock, FileTime.from(Instant.now().minusSeconds(151))); // the dead process's lock expired

        Jobs restarted = jobs();
        assertThat(restarted.resumeAll()).isEqualTo(1);
        Jobs.Status done = await(restarted, "snapshot-9");
        assertThat(done.record().state()).as("error: %s", done.record().error()).isEqualTo(JobRecord.State.COMPLETE);
        BackupConfig written = backups.withStore(target, (s, t) -> s.backupConfig("pvc-1", backup)).orElseThrow();
        assertThat(written.inProgress()).isFalse();
        assertThat(restarted.startRestore(VolumeName.of("back"), BackupUrl.of(target, "pvc-1", backup), Optional.empty())).isNotNull();
        assertThat(await(restarted, "back").record().state()).isEqualTo(JobRecord.State.COMPLETE);
        assertThat(read("back")).isEqualTo(content);
    }

    @Test
    void aTargetThatNeverAnswersFailsTheJobAfterItsRetriesWithTheReason() throws Exception {
        Jobs jobs = jobs();
        Files.writeString(tmp.resolve("not-a-dir"), "x");
        String broken = "file://" + tmp.resolve("not-a-dir/backups");
        jobs.startBackup(SnapshotName.of("snapshot-1"), VolumeName.of("pvc-1"), broken, false, Map.of());
        Jobs.Status failed = await(jobs, "snapshot-1");
        assertThat(failed.record().state()).isEqualTo(JobRecord.State.ERROR);
        assertThat(failed.record().error()).startsWith("backup " + failed.record().backup() + " of volume pvc-1 failed: ");
        jobs.forget(JobRecord.Kind.BACKUP, "snapshot-1");
        assertThat(jobs.backup("snapshot-1")).isEmpty();
    }

    @Test
    void aBackupJobKeepsItsBlockSizeInItsRecordForAResume() throws Exception {
        Jobs jobs = jobs();
        jobs.startBackup(SnapshotName.of("snapshot-1"), VolumeName.of("pvc-1"), target, false, 16L * MiB, Map.of());
        assertThat(jobs().backup("snapshot-1").orElseThrow().record().blockSize()).as("as stored").isEqualTo(16L * MiB);
        Jobs.Status done = await(jobs, "snapshot-1");
        assertThat(done.record().state()).as("error: %s", done.record().error()).isEqualTo(JobRecord.State.COMPLETE);
        assertThat(done.record().blockSize()).isEqualTo(16L * MiB);
        BackupConfig written = backups.withStore(target, (s, t) -> s.backupConfig("pvc-1", done.record().backup())).orElseThrow();
        assertThat(written.blockSize()).isEqualTo(16L * MiB);
    }

    @Test
    void aJobStoppedWithItsProcessStaysRunningAndIsResumedWithItsLabels() throws Exception {
        GatedTarget.Gate gate = new GatedTarget.Gate().close();
        BackupTargets real = new BackupTargets(Map.of(), tmp.resolve("mounts"), NfsMount.system());
        BackupService gated = new BackupService(url -> new GatedTarget(real.open(url), gate), Duration.ZERO, executor, 2);
        ScheduledExecutorService process = Executors.newScheduledThreadPool(1);
        Jobs first = new Jobs(volumes, gated, new StateStore(tmp.resolve("data/state")).table("jobs", JobRecord.class), process,
                Clock.systemUTC(), FAST_RETRIES);
        first.startBackup(SnapshotName.of("snapshot-1"), VolumeName.of("pvc-1"), target, false, Map.of("team", "a"));
        for (int i = 0; i < 500 && gate.waiting() < 2; i++) {
            Thread.sleep(10);
        }
        // the pipeline hands uploads to its writer stage, so two or more may be held: the backup is surely mid-upload
        assertThat(gate.waiting()).as("uploads held at the gate").isGreaterThanOrEqualTo(2);

        process.shutdownNow(); // the process stops mid-backup
        assertThat(process.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        gate.open();
        assertThat(jobs().backup("snapshot-1").orElseThrow().record().state()).as("stopping is not failing")
                .isEqualTo(JobRecord.State.RUNNING);

        Jobs restarted = jobs();
        assertThat(restarted.resumeAll()).isEqualTo(1);
        Jobs.Status done = await(restarted, "snapshot-1");
        assertThat(done.record().state()).as("error: %s", done.record().error()).isEqualTo(JobRecord.State.COMPLETE);
        BackupConfig written = backups.withStore(target, (s, t) -> s.backupConfig("pvc-1", done.record().backup())).orElseThrow();
        assertThat(written.labels()).as("the labels outlive the process").containsEntry("team", "a");
        restarted.startRestore(VolumeName.of("back"), BackupUrl.of(target, "pvc-1", done.record().backup()), Optional.empty());
        assertThat(await(restarted, "back").record().state()).isEqualTo(JobRecord.State.COMPLETE);
        assertThat(read("back")).isEqualTo(content);
    }

    @Test
    void aRestoreHungInABlockReadIsCancelledAtOnceAndEndsCancelled() throws Exception {
        Jobs plain = jobs();
        plain.startBackup(SnapshotName.of("snapshot-1"), VolumeName.of("pvc-1"), target, false, Map.of());
        Jobs.Status made = await(plain, "snapshot-1");
        GatedTarget.Gate gate = new GatedTarget.Gate();
        BackupTargets real = new BackupTargets(Map.of(), tmp.resolve("mounts"), NfsMount.system());
        BackupService gated = new BackupService(url -> new GatedTarget(real.open(url), gate), Duration.ZERO, executor, 2);
        Jobs jobs = new Jobs(volumes, gated, new StateStore(tmp.resolve("data/state")).table("jobs", JobRecord.class), executor,
                Clock.systemUTC(), FAST_RETRIES);
        gate.close(); // the store stops answering block reads, as a hung NFS server or a FIFO would
        jobs.startRestore(VolumeName.of("back"), BackupUrl.of(target, "pvc-1", made.record().backup()), Optional.empty());
        gate.awaitWaiting(1);

        long start = System.nanoTime();
        assertThat(jobs.cancel(JobRecord.Kind.RESTORE, "back", "the volume is being deleted", Duration.ofSeconds(5))).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        JobRecord ended = jobs.restore("back").orElseThrow().record();
        assertThat(ended.state()).isEqualTo(JobRecord.State.ERROR);
        assertThat(ended.error()).contains("was cancelled: the volume is being deleted");
        gate.open();
    }
}
