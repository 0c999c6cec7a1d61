package io.strata.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.backupstore.BackupTargets;
import io.strata.backupstore.target.NfsMount;
import io.strata.control.SnapshotService.Kind;
import io.strata.control.VolumeService.Source;
import io.strata.control.VolumeService.VolumeView;
import io.strata.control.job.JobRecord;
import io.strata.control.job.Jobs;
import io.strata.control.state.StateStore;
import io.strata.domain.SnapshotHandle;
import io.strata.domain.SnapshotName;
import io.strata.domain.StrataException;
import io.strata.domain.VolumeName;
import io.strata.engine.VolumeStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clones as jobs: the new volume is there at once and attaches once its copy is done, the copy equals
 * the source snapshot byte for byte, the source stays while it is copied, a restart resumes the copy,
 * and a copy that cannot read its source fails with the reason. The jobs run on one thread that a
 * test can hold busy, so a clone surely has not copied yet while the test looks at it.
 */
class CloneJobsTest {
    private static final int MiB = 1 << 20;
    private static final int SIZE = 24 * MiB;

    @TempDir
    Path tmp;

    private final ScheduledExecutorService backupWorkers = Executors.newScheduledThreadPool(1);
    private ScheduledExecutorService jobThread;
    private CountDownLatch held;
    private VolumeStore store;
    private Jobs jobs;
    private VolumeService volumes;
    private SnapshotService snapshots;
    private byte[] content;

    @BeforeEach
    void setUp() throws IOException {
        start();
        volumes.create(VolumeName.of("pvc-1"), SIZE, 0, new Source.Empty());
        content = new byte[SIZE];
        new Random(11).nextBytes(content);
        Arrays.fill(content, 4 * MiB, 9 * MiB, (byte) 0); // a hole: never written, not copied
        store.open(VolumeName.of("pvc-1")).writeAt(ByteBuffer.wrap(content, 0, 4 * MiB), 0);
        store.open(VolumeName.of("pvc-1")).writeAt(ByteBuffer.wrap(content, 9 * MiB, SIZE - 9 * MiB), 9 * MiB);
    }

    /** Starts the process under test on the data directory, as the server does. */
    private void start() throws IOException {
        Path data = tmp.resolve("data");
        store = VolumeStore.open(data);
        jobThread = Executors.newScheduledThreadPool(1);
        String target = "file://" + Files.createDirectories(tmp.resolve("backups"));
        BackupService backups = new BackupService(new BackupTargets(Map.of(), tmp.resolve("mounts"), NfsMount.system()),
                Duration.ZERO, backupWorkers, 1);
        StateStore state = new StateStore(data.resolve("state"));
        KeyedLocks locks = new KeyedLocks();
        jobs = new Jobs(store, backups, state.table("jobs", JobRecord.class), jobThread, Clock.systemUTC(), List.of(Duration.ofMillis(50)));
        volumes = new VolumeService(store, jobs, locks, state, data, target, Clock.systemUTC());
        snapshots = new SnapshotService(store, backups, jobs, locks, target);
    }

    /** Keeps the job thread busy until {@link #release()}: jobs started meanwhile wait their turn. */
    private void hold() {
        held = new CountDownLatch(1);
        jobThread.execute(() -> {
            try {
                held.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    private void release() {
        held.countDown();
    }

    private void stop() throws Exception {
        jobs.stop(Duration.ZERO);
        store.close();
    }

    @AfterEach
    void tearDown() throws IOException {
        if (held != null) {
            held.countDown();
        }
        jobThread.shutdownNow();
        backupWorkers.shutdownNow();
        store.close();
    }

    private JobRecord awaitEnd(String volume) throws Exception {
        for (int i = 0; i < 1000; i++) {
            JobRecord job = jobs.filling(volume).orElseThrow().record();
            if (job.state() != JobRecord.State.RUNNING) {
                return job;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("the clone into " + volume + " never ended");
    }

    private byte[] read(String volume) throws IOException {
        ByteBuffer all = ByteBuffer.allocate(SIZE);
        store.open(VolumeName.of(volume)).readAt(all, 0);
        return all.array();
    }

    private SnapshotHandle snapshot(String name) throws IOException {
        return snapshots.create(SnapshotName.of(name), VolumeName.of("pvc-1"), Kind.SS, false, Map.of()).handle();
    }

    @Test
    void aCloneIsThereAtOnceAttachesOnlyOnceCopiedAndEqualsItsSnapshot() throws Exception {
        SnapshotHandle ss = snapshot("snapshot-a");
        store.open(VolumeName.of("pvc-1")).writeAt(ByteBuffer.wrap(new byte[MiB]), 0); // after the snapshot: not in the clone
        hold();

        VolumeView created = volumes.create(VolumeName.of("copy"), 32 * MiB, 0, new Source.OfSnapshot(ss));
        assertThat(created.info().size()).as("its final size at once").isEqualTo(32 * MiB);
        assertThat(created.ready()).isFalse();
        assertThat(created.restore().orElseThrow().record().kind()).isEqualTo(JobRecord.Kind.CLONE);
        assertThat(volumes.create(VolumeName.of("copy"), 32 * MiB, 0, new Source.OfSnapshot(ss)).restore().orElseThrow().record())
                .as("asked again: the same volume and job").isEqualTo(created.restore().get().record());
        assertThatThrownBy(() -> volumes.publish(VolumeName.of("copy"), "node-1", false))
                .isExactlyInstanceOf(StrataException.Unavailable.class)
                .hasMessageContaining("being cloned from snapshot snapshot-a of volume 'pvc-1'").hasMessageContaining("attached once");
        assertThatThrownBy(() -> snapshots.create(SnapshotName.of("too-soon"), VolumeName.of("copy"), Kind.SS, false, Map.of()))
                .isExactlyInstanceOf(StrataException.Unavailable.class);
        assertThat(jobs.all()).extracting(s -> s.record().kind()).containsExactly(JobRecord.Kind.CLONE);

        release();
        JobRecord done = awaitEnd("copy");
        assertThat(done.state()).as("error: %s", done.error()).isEqualTo(JobRecord.State.COMPLETE);
        assertThat(done.bytesTotal()).as("only allocated data is copied").isEqualTo(SIZE - 5L * MiB);
        assertThat(done.bytesDone()).isEqualTo(done.bytesTotal());
        assertThat(volumes.view(VolumeName.of("copy")).orElseThrow().ready()).isTrue();
        volumes.publish(VolumeName.of("copy"), "node-1", false);
        assertThat(read("copy")).isEqualTo(content);
    }

    @Test
    void aCloneOfAVolumeCopiesItsContentAtTheCallAndRemovesTheSnapshotCutForIt() throws Exception {
        hold();
        volumes.create(VolumeName.of("copy"), 0, 0, new Source.OfVolume(VolumeName.of("pvc-1")));
        assertThat(store.open(VolumeName.of("pvc-1")).snapshots()).as("a snapshot of the head, cut for the clone")
                .anyMatch(s -> "copy".equals(s.labels().get("strata.io/clone-into")) && !s.userCreated());
        store.open(VolumeName.of("pvc-1")).writeAt(ByteBuffer.wrap(new byte[MiB]), 0); // after the call: not in the clone

        release();
        assertThat(awaitEnd("copy").state()).isEqualTo(JobRecord.State.COMPLETE);
        assertThat(read("copy")).isEqualTo(content);
        assertThat(store.open(VolumeName.of("pvc-1")).snapshots()).as("the cut snapshot goes with the job").isEmpty();
    }

    @Test
    void whatACloneCopiesFromCannotGoUntilItIsDone() throws Exception {
        SnapshotHandle ss = snapshot("snapshot-a");
        hold();
        volumes.create(VolumeName.of("copy"), 0, 0, new Source.OfSnapshot(ss));
        volumes.create(VolumeName.of("copy-2"), 0, 0, new Source.OfVolume(VolumeName.of("pvc-1")));

        assertThatThrownBy(() -> snapshots.delete(ss)).isExactlyInstanceOf(StrataException.Unavailable.class)
                .hasMessageContaining("a clone into volume 'copy' is copying from snapshot snapshot-a");
        assertThatThrownBy(() -> volumes.delete(VolumeName.of("pvc-1"))).isExactlyInstanceOf(StrataException.Unavailable.class)
                .hasMessageContaining("is copying from volume 'pvc-1'");

        release();
        assertThat(awaitEnd("copy").state()).isEqualTo(JobRecord.State.COMPLETE);
        assertThat(awaitEnd("copy-2").state()).isEqualTo(JobRecord.State.COMPLETE);
        assertThat(read("copy")).isEqualTo(content);
        assertThat(read("copy-2")).isEqualTo(content);
        snapshots.delete(ss);
        volumes.delete(VolumeName.of("copy"));
        assertThat(jobs.filling("copy")).as("the job goes with its volume").isEmpty();
        volumes.delete(VolumeName.of("copy-2"));
        volumes.delete(VolumeName.of("pvc-1"));
        assertThat(store.exists(VolumeName.of("pvc-1"))).isFalse();
    }

    @Test
    void deletingAVolumeBeingClonedIntoCancelsTheCloneAndLeavesTheSourceAsItWas() throws Exception {
        hold();
        volumes.create(VolumeName.of("copy"), 0, 0, new Source.OfVolume(VolumeName.of("pvc-1")));
        var deleting = java.util.concurrent.CompletableFuture.runAsync(() -> {
            try {
                volumes.delete(VolumeName.of("copy"));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        Thread.sleep(100); // the cancel is asked before the copy starts
        assertThat(deleting).isNotDone();
        release();
        deleting.get(30, java.util.concurrent.TimeUnit.SECONDS);

        assertThat(store.exists(VolumeName.of("copy"))).isFalse();
        assertThat(jobs.filling("copy")).as("the job goes with its volume").isEmpty();
        assertThat(store.open(VolumeName.of("pvc-1")).snapshots()).as("the snapshot cut for the clone is removed").isEmpty();
        assertThat(read("pvc-1")).isEqualTo(content);
        volumes.create(VolumeName.of("copy"), 0, 0, new Source.OfVolume(VolumeName.of("pvc-1")));
        assertThat(awaitEnd("copy").state()).as("the name can be used again").isEqualTo(JobRecord.State.COMPLETE);
        assertThat(read("copy")).isEqualTo(content);
    }

    @Test
    void aCloneCutShortByAStopIsResumedAfterARestartAndEndsEqual() throws Exception {
        hold();
        volumes.create(VolumeName.of("copy"), 0, 0, new Source.OfVolume(VolumeName.of("pvc-1")));
        stop();

        start();
        store.open(VolumeName.of("pvc-1")).writeAt(ByteBuffer.wrap(new byte[MiB]), 0); // after the call: not in the clone
        assertThat(volumes.view(VolumeName.of("copy")).orElseThrow().ready()).isFalse();
        assertThat(jobs.resumeAll()).isEqualTo(1);
        assertThat(awaitEnd("copy").state()).isEqualTo(JobRecord.State.COMPLETE);
        assertThat(read("copy")).as("the snapshot cut for it outlived the restart").isEqualTo(content);
        assertThat(store.open(VolumeName.of("pvc-1")).snapshots()).isEmpty();
    }

    @Test
    void aCloneWhoseSourceCannotBeReadFailsWithTheReasonAndItsVolumeIsNotUsed() throws Exception {
        SnapshotHandle ss = snapshot("snapshot-a");
        hold();
        volumes.create(VolumeName.of("copy"), 0, 0, new Source.OfSnapshot(ss));
        stop();
        try (Stream<Path> files = Files.list(tmp.resolve("data/volumes/pvc-1"))) {
            for (Path file : files.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().equals("volume.meta")).toList()) {
                try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                    channel.truncate(0); // the source's layer files lose their data; its metadata stays
                }
            }
        }

        start();
        jobs.resumeAll();
        JobRecord failed = awaitEnd("copy");
        assertThat(failed.state()).isEqualTo(JobRecord.State.ERROR);
        assertThat(failed.error()).startsWith("clone of snapshot snapshot-a of volume 'pvc-1' into volume copy failed: ")
                .contains("layer-").contains("is not a Strata"); // the damaged layer, named
        VolumeView view = volumes.view(VolumeName.of("copy")).orElseThrow();
        assertThat(view.ready()).isFalse();
        assertThatThrownBy(() -> volumes.publish(VolumeName.of("copy"), "node-1", false))
                .isExactlyInstanceOf(StrataException.FailedPrecondition.class)
                .hasMessageContaining("could not be cloned").hasMessageContaining(failed.error());
        volumes.delete(VolumeName.of("copy"));
        assertThat(store.exists(VolumeName.of("copy"))).isFalse();
    }
}
