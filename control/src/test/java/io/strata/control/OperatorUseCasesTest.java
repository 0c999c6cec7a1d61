package io.strata.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.backupstore.BackupTargets;
import io.strata.backupstore.format.Compression;
import io.strata.backupstore.target.NfsMount;
import io.strata.control.SnapshotService.Kind;
import io.strata.control.VolumeService.Source;
import io.strata.control.job.BackupOrder;
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
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What an operator does beyond CSI: revert, back up a snapshot of choice, and move the backup target. */
class OperatorUseCasesTest {
    private static final int MiB = 1 << 20;
    private static final VolumeName VOL = VolumeName.of("vol");

    @TempDir
    Path tmp;

    private final ScheduledExecutorService executor = Executors.newScheduledThreadPool(2);
    private VolumeStore store;
    private StateStore state;
    private BackupService backups;
    private Jobs jobs;
    private BackupTargetSetting target;
    private VolumeService volumes;
    private SnapshotService snapshots;

    @BeforeEach
    void setUp() throws IOException {
        Path data = tmp.resolve("data");
        store = VolumeStore.open(data);
        backups = new BackupService(new BackupTargets(Map.of(), tmp.resolve("mounts"), NfsMount.system()), Duration.ZERO, executor, 2);
        state = new StateStore(data.resolve("state"));
        KeyedLocks locks = new KeyedLocks();
        jobs = new Jobs(store, backups, state.table("jobs", JobRecord.class), executor, Clock.systemUTC(), List.of(Duration.ofMillis(50)));
        target = new BackupTargetSetting(state, "file://" + Files.createDirectories(tmp.resolve("backups")), backups, Clock.systemUTC());
        volumes = new VolumeService(store, jobs, locks, state, data, target, Clock.systemUTC());
        snapshots = new SnapshotService(store, backups, jobs, locks, target);
        volumes.create(VOL, 4 * MiB, 0, new Source.Empty());
    }

    @AfterEach
    void tearDown() throws IOException {
        executor.shutdownNow();
        store.close();
    }

    private void write(byte value) throws IOException {
        store.open(VOL).writeAt(ByteBuffer.wrap(new byte[] {value, value}), 0);
    }

    private byte first() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(1);
        store.open(VOL).readAt(b, 0);
        return b.get(0);
    }

    private Jobs.Status ended(String backup) throws Exception {
        for (int i = 0; i < 500; i++) {
            Jobs.Status s = jobs.backup(backup).orElseThrow();
            if (s.record().state() != JobRecord.State.RUNNING) {
                return s;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("backup " + backup + " never ended");
    }

    @Test
    void revertGoesBackToAnInClusterSnapshotAndIsRefusedWhileAttached() throws IOException {
        write((byte) 1);
        snapshots.create(SnapshotName.of("before"), VOL, Kind.SS, false, Map.of());
        write((byte) 2);

        volumes.publish(VOL, "node-1", false);
        assertThatThrownBy(() -> volumes.revert(VOL, SnapshotName.of("before")))
                .isExactlyInstanceOf(StrataException.FailedPrecondition.class).hasMessageContaining("detach it");
        assertThat(first()).as("nothing changed").isEqualTo((byte) 2);
        volumes.unpublish(VOL, "node-1");

        assertThat(volumes.revert(VOL, SnapshotName.of("before")).info().name()).isEqualTo(VOL);
        assertThat(first()).isEqualTo((byte) 1);
        assertThatThrownBy(() -> volumes.revert(VOL, SnapshotName.of("nope"))).isExactlyInstanceOf(StrataException.NotFound.class);
        assertThatThrownBy(() -> volumes.revert(VolumeName.of("other"), SnapshotName.of("before")))
                .isExactlyInstanceOf(StrataException.NotFound.class);
    }

    @Test
    void aBackupOfAChosenSnapshotLeavesThatSnapshotWhenItIsDeleted() throws Exception {
        write((byte) 3);
        snapshots.create(SnapshotName.of("mine"), VOL, Kind.SS, false, Map.of());
        List<JobRecord> finished = new CopyOnWriteArrayList<>();
        jobs.addListener((record, progress) -> finished.add(record));

        Jobs.Status started = jobs.startBackup(new BackupOrder(VOL, Optional.of(SnapshotName.of("mine")), target.get(),
                Optional.of("first"), false, Compression.ZSTD, Map.of("team", "a")));
        assertThat(started.record().id()).isEqualTo("first");
        assertThat(started.record().snapshot()).isEqualTo("mine");
        Jobs.Status done = ended("first");
        assertThat(done.record().state()).as("error: %s", done.record().error()).isEqualTo(JobRecord.State.COMPLETE);
        for (int i = 0; i < 250 && finished.isEmpty(); i++) {
            Thread.sleep(20); // listeners hear of a job once its record says it ended, so a moment after
        }
        assertThat(finished).extracting(JobRecord::id).containsExactly("first");
        BackupService.BackupEntry entry = backups.inspect(io.strata.backupstore.format.BackupUrl.of(target.get(), "vol", "first").encode());
        assertThat(entry.config().labels()).containsEntry("team", "a");
        assertThat(entry.config().compressionMethod()).isEqualTo("zstd");

        assertThatThrownBy(() -> jobs.startBackup(new BackupOrder(VOL, Optional.empty(), target.get(), Optional.of("first"),
                false, Compression.LZ4, Map.of()))).isExactlyInstanceOf(StrataException.AlreadyExists.class);
        assertThatThrownBy(() -> jobs.startBackup(new BackupOrder(VOL, Optional.of(SnapshotName.of("nope")), target.get(),
                Optional.empty(), false, Compression.LZ4, Map.of()))).isExactlyInstanceOf(StrataException.NotFound.class);

        snapshots.delete(SnapshotHandle.Backup.of("vol", "first"));
        assertThat(store.open(VOL).snapshots()).extracting(s -> s.name().value()).as("the user's snapshot stays").containsExactly("mine");

        Jobs.Status cut = jobs.startBackup(new BackupOrder(VOL, Optional.empty(), target.get(), Optional.empty(), true,
                Compression.LZ4, Map.of()));
        String name = cut.record().backup();
        assertThat(ended(name).record().state()).isEqualTo(JobRecord.State.COMPLETE);
        assertThat(store.open(VOL).snapshots()).extracting(s -> s.name().value()).contains(name);
        snapshots.delete(SnapshotHandle.Backup.of("vol", name));
        assertThat(store.open(VOL).snapshots()).extracting(s -> s.name().value()).as("the snapshot cut for it goes").containsExactly("mine");
    }

    @Test
    void aBackupTargetIsSavedOnlyOnceItOpensAndHoldsAcrossRestarts() throws Exception {
        String configured = target.get();
        assertThat(target.current().saved()).isFalse();
        Path elsewhere = tmp.resolve("elsewhere");
        // a directory that is not there may be a mount point with nothing mounted: made only when asked
        assertThatThrownBy(() -> target.set("file://" + elsewhere)).isInstanceOf(StrataException.FailedPrecondition.class)
                .hasMessageContaining("does not exist")
                .satisfies(e -> assertThat(((StrataException) e).hint()).containsInstanceOf(io.strata.domain.Hint.CreateTargetDirectory.class));
        assertThat(elsewhere).doesNotExist();
        assertThat(target.current().saved()).isFalse();
        Files.writeString(tmp.resolve("a-file"), "x");
        assertThatThrownBy(() -> target.set("file://" + tmp.resolve("a-file"), true)).isInstanceOf(StrataException.FailedPrecondition.class)
                .hasMessageContaining("is not a directory");
        assertThat(target.set("file://" + elsewhere, true).url()).isEqualTo("file://" + elsewhere);
        assertThat(Files.getPosixFilePermissions(elsewhere)).isEqualTo(PosixFilePermissions.fromString("rwx------"));

        assertThatThrownBy(() -> target.set("ftp://nowhere/")).isInstanceOf(StrataException.InvalidArgument.class);
        assertThatThrownBy(() -> target.set(" ")).isInstanceOf(StrataException.InvalidArgument.class);
        assertThat(target.get()).as("a refused target changes nothing").isEqualTo("file://" + elsewhere);

        BackupTargetSetting reopened = new BackupTargetSetting(state, configured, backups, Clock.systemUTC());
        assertThat(reopened.get()).isEqualTo("file://" + elsewhere);
        assertThat(reopened.current().saved()).isTrue();
        assertThat(BackupTargetSetting.saved(state)).contains("file://" + elsewhere);

        write((byte) 4);
        snapshots.create(SnapshotName.of("to-elsewhere"), VOL, Kind.BAK, false, Map.of());
        assertThat(ended("to-elsewhere").record().target()).as("new backups go to the saved target").isEqualTo("file://" + elsewhere);

        assertThat(reopened.clear().url()).isEqualTo(configured);
        assertThat(BackupTargetSetting.saved(state)).isEmpty();
    }

    @Test
    void aVolumeOfARestoreThatFailedIsNeitherRevertedNorBackedUp() throws IOException {
        Volume volume = store.open(VOL);
        volume.createSnapshot(SnapshotName.of("s"), Map.of(), true);
        state.table("jobs", JobRecord.class).put("restore@vol", new JobRecord("vol", JobRecord.Kind.RESTORE, JobRecord.State.ERROR,
                "vol", "src", target.get(), "b", null, java.time.Instant.now(), java.time.Instant.now(), "broken", 0, 0));
        assertThatThrownBy(() -> volumes.revert(VOL, SnapshotName.of("s"))).isExactlyInstanceOf(StrataException.FailedPrecondition.class);
        assertThatThrownBy(() -> jobs.startBackup(new BackupOrder(VOL, Optional.of(SnapshotName.of("s")), target.get(),
                Optional.empty(), false, Compression.LZ4, Map.of()))).isExactlyInstanceOf(StrataException.FailedPrecondition.class);
    }
}
