package io.strata.csi;

import io.strata.backupstore.BackupTargets;
import io.strata.backupstore.target.NfsMount;
import io.strata.control.BackupService;
import io.strata.control.GatedTarget;
import io.strata.control.KeyedLocks;
import io.strata.control.SnapshotService;
import io.strata.control.VolumeService;
import io.strata.control.job.JobRecord;
import io.strata.control.job.Jobs;
import io.strata.control.state.StateStore;
import io.strata.csi.v1.ControllerGrpc;
import io.strata.domain.VolumeName;
import io.strata.engine.Volume;
import io.strata.engine.VolumeStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One Strata server's controller plugin for a test: the control objects a server wires over a data
 * directory, a directory backup target behind a {@link GatedTarget}, and the CSI server on a real
 * unix socket with a client connected to it. {@link #restart()} stops all of it, as a process stop
 * would, and starts it again on the same directory, target and gate.
 */
final class ControllerHarness implements AutoCloseable {
    static final String NODE = "node-a";
    /** Fast retries, so that a target that keeps failing fails a job within a test. */
    private static final List<Duration> RETRIES = List.of(Duration.ofMillis(20), Duration.ofMillis(20));

    final Path dir;
    final GatedTarget.Gate gate;
    final String target;
    final VolumeStore store;
    final BackupService backups;
    final Jobs jobs;
    final VolumeService volumes;
    final SnapshotService snapshots;
    final CsiClient client;
    private final ScheduledExecutorService jobExecutor;
    private final ScheduledExecutorService lockRefresh;
    private final CsiServer server;

    private ControllerHarness(Path dir, GatedTarget.Gate gate, boolean resumeOnStart) throws IOException {
        this.dir = dir;
        this.gate = gate;
        Path data = dir.resolve("data");
        target = "file://" + Files.createDirectories(dir.resolve("backups"));
        store = VolumeStore.open(data);
        jobExecutor = Executors.newScheduledThreadPool(2);
        lockRefresh = Executors.newSingleThreadScheduledExecutor();
        BackupTargets real = new BackupTargets(Map.of(), dir.resolve("mounts"), NfsMount.system());
        backups = new BackupService(url -> new GatedTarget(real.open(url), gate), Duration.ZERO, lockRefresh, 2);
        StateStore state = new StateStore(data.resolve("state"));
        KeyedLocks locks = new KeyedLocks();
        jobs = new Jobs(store, backups, state.table("jobs", JobRecord.class), jobExecutor, Clock.systemUTC(), RETRIES);
        volumes = new VolumeService(store, jobs, locks, state, data, target, Clock.systemUTC());
        snapshots = new SnapshotService(store, backups, jobs, locks, target);
        CsiDriver driver = new CsiDriver(DriverName.DEFAULT, NODE, volumes, snapshots);
        CsiEndpoint endpoint = new CsiEndpoint(dir.resolve("csi.sock"));
        if (resumeOnStart) {
            jobs.resumeAll(); // as the server does before it serves
        }
        server = CsiServer.start(endpoint, driver.services(() -> true));
        client = CsiClient.connect(endpoint);
    }

    /** A fresh server over {@code dir}; jobs are resumed only when a test says so. */
    static ControllerHarness start(Path dir) throws IOException {
        return new ControllerHarness(dir, new GatedTarget.Gate(), false);
    }

    /** Stops everything and starts again on the same directory; the caller resumes the jobs. */
    ControllerHarness restart() throws IOException, InterruptedException {
        stop();
        return new ControllerHarness(dir, gate, false);
    }

    /** Stops everything and starts again the way strata server does, which resumes the jobs before serving. */
    ControllerHarness restartAsServer() throws IOException, InterruptedException {
        stop();
        return new ControllerHarness(dir, gate, true);
    }

    /** Keeps both job threads busy until the answer is run: jobs started meanwhile surely have not begun. */
    Runnable holdJobs() {
        java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
        for (int i = 0; i < 2; i++) {
            jobExecutor.execute(() -> {
                try {
                    held.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        return held::countDown;
    }

    ControllerGrpc.ControllerBlockingStub controller() {
        return client.controller();
    }

    void write(String volume, byte[] data) throws IOException {
        Volume v = store.open(VolumeName.of(volume));
        v.writeAt(ByteBuffer.wrap(data), 0);
        v.flush();
    }

    byte[] read(String volume, int length) throws IOException {
        ByteBuffer out = ByteBuffer.allocate(length);
        store.open(VolumeName.of(volume)).readAt(out, 0);
        return out.array();
    }

    private void stop() throws IOException, InterruptedException {
        client.close();
        server.stop(Duration.ofSeconds(2));
        jobExecutor.shutdownNow(); // interrupts running jobs, whose records stay RUNNING
        if (!jobExecutor.awaitTermination(10, TimeUnit.SECONDS)) {
            throw new AssertionError("jobs did not stop");
        }
        lockRefresh.shutdownNow();
        store.close();
    }

    @Override
    public void close() throws IOException {
        gate.open();
        try {
            stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while stopping", e);
        }
    }
}
