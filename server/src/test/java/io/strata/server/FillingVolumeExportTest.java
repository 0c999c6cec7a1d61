package io.strata.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.backupstore.BackupTargets;
import io.strata.backupstore.target.NfsMount;
import io.strata.control.BackupService;
import io.strata.control.GatedTarget;
import io.strata.control.KeyedLocks;
import io.strata.control.SnapshotService;
import io.strata.control.VolumeService;
import io.strata.control.VolumeService.Source;
import io.strata.control.job.JobRecord;
import io.strata.control.job.Jobs;
import io.strata.control.state.StateStore;
import io.strata.csi.node.NodeTools;
import io.strata.domain.SnapshotName;
import io.strata.domain.VolumeName;
import io.strata.engine.VolumeStore;
import io.strata.nbd.NbdConfig;
import io.strata.nbd.NbdServer;
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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A volume still being restored or cloned is not served over NBD: real clients (qemu-img, nbdinfo)
 * that connect right after the volume was created are refused, with a message that says how far
 * the fill got and to wait, instead of reading zeroes where the content has not arrived; once the
 * fill is done they read exactly the source's bytes. The NBD server is wired as {@link StrataServer}
 * wires it; a gated backup target holds the restore, and a busy job thread holds the clone, so that
 * the test surely looks while they run.
 */
class FillingVolumeExportTest {
    private static final int MiB = 1 << 20;
    private static final int SIZE = 24 * MiB;

    @TempDir
    Path tmp;
    private final GatedTarget.Gate gate = new GatedTarget.Gate();
    private final ScheduledExecutorService backupWorkers = Executors.newScheduledThreadPool(2);
    private final ScheduledExecutorService jobThread = Executors.newScheduledThreadPool(1);
    private VolumeStore store;
    private VolumeService volumes;
    private SnapshotService snapshots;
    private NbdServer nbd;
    private byte[] content;

    @BeforeEach
    void setUp() throws IOException {
        NodeTools.require("qemu-utils", "qemu-img");
        NodeTools.require("libnbd-bin", "nbdinfo");
        Path data = tmp.resolve("data");
        store = VolumeStore.open(data);
        String target = "file://" + Files.createDirectory(tmp.resolve("backups"));
        BackupTargets real = new BackupTargets(Map.of(), tmp.resolve("mounts"), NfsMount.system());
        BackupService backups = new BackupService(url -> new GatedTarget(real.open(url), gate), Duration.ZERO, backupWorkers, 2);
        StateStore state = new StateStore(data.resolve("state"));
        Jobs jobs = new Jobs(store, backups, state.table("jobs", JobRecord.class), jobThread, Clock.systemUTC(),
                List.of(Duration.ofMillis(50)));
        KeyedLocks locks = new KeyedLocks();
        volumes = new VolumeService(store, jobs, locks, state, data, target, Clock.systemUTC());
        snapshots = new SnapshotService(store, backups, jobs, locks, target);
        nbd = NbdServer.start(NbdConfig.of(tmp.resolve("nbd.sock"), Optional.empty()), StrataServer.exports(store, jobs));

        volumes.create(VolumeName.of("source"), SIZE, 0, new Source.Empty());
        content = new byte[SIZE];
        new Random(25).nextBytes(content);
        Arrays.fill(content, 16 * MiB, 20 * MiB, (byte) 0); // a hole: never written
        store.open(VolumeName.of("source")).writeAt(ByteBuffer.wrap(content, 0, 16 * MiB), 0);
        store.open(VolumeName.of("source")).writeAt(ByteBuffer.wrap(content, 20 * MiB, 4 * MiB), 20 * MiB);
    }

    @AfterEach
    void tearDown() throws IOException {
        gate.open();
        nbd.close();
        jobThread.shutdownNow();
        backupWorkers.shutdownNow();
        store.close();
    }

    private String uri(String export) {
        return "nbd+unix:///" + export + "?socket=" + nbd.unixSocket();
    }

    @Test
    void aVolumeBeingRestoredIsRefusedUntilItIsReadyThenReadsAsTheBackup() throws Exception {
        SnapshotService.SnapshotView backup = snapshots.create(SnapshotName.of("snapshot-1"), VolumeName.of("source"),
                SnapshotService.Kind.BAK, false, Map.of());
        awaitReady(() -> snapshots.find(backup.handle()).orElseThrow().ready());
        gate.close();
        volumes.create(VolumeName.of("restored"), 0, 0, new Source.OfSnapshot(backup.handle())); // CreateVolume returned
        gate.awaitWaiting(1);

        Run qemu = run("qemu-img", "info", uri("restored"));
        assertThat(qemu.exit()).as(qemu.output()).isNotZero();
        assertThat(qemu.output()).contains("Requested export not available")
                .containsPattern("volume 'restored' is still being restored from backup backup-\\w+ \\(\\d+%\\);"
                        + " it can be served over NBD once that is done");
        for (String export : List.of("restored", "growable:restored")) {
            assertThat(run("nbdinfo", uri(export)).exit()).as("nbdinfo %s", export).isNotZero();
        }
        assertThat(run("nbdinfo", uri("source")).exit()).as("other volumes are served meanwhile").isZero();

        gate.open();
        awaitReady(() -> volumes.view(VolumeName.of("restored")).orElseThrow().ready());
        assertThat(readOverNbd("restored")).isEqualTo(content);
    }

    @Test
    void aVolumeBeingClonedIsRefusedUntilItIsReadyThenReadsAsItsSource() throws Exception {
        CountDownLatch busy = new CountDownLatch(1);
        jobThread.execute(() -> {
            try {
                busy.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        volumes.create(VolumeName.of("copy"), 0, 0, new Source.OfVolume(VolumeName.of("source")));

        Run qemu = run("qemu-img", "info", uri("copy"));
        assertThat(qemu.exit()).as(qemu.output()).isNotZero();
        assertThat(qemu.output()).contains("volume 'copy' is still being cloned from volume 'source' (0%);"
                + " it can be served over NBD once that is done");

        busy.countDown();
        awaitReady(() -> volumes.view(VolumeName.of("copy")).orElseThrow().ready());
        assertThat(readOverNbd("copy")).isEqualTo(content);
    }

    private byte[] readOverNbd(String export) throws Exception {
        Path copy = tmp.resolve(export + ".img");
        Run convert = run("qemu-img", "convert", "-f", "raw", "-O", "raw", uri(export), copy.toString());
        assertThat(convert.exit()).as(convert.output()).isZero();
        return Files.readAllBytes(copy);
    }

    @FunctionalInterface
    private interface Probe {
        boolean done() throws IOException;
    }

    private static void awaitReady(Probe probe) throws Exception {
        for (int i = 0; i < 1500; i++) {
            if (probe.done()) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("not ready within 30 s");
    }

    private record Run(int exit, String output) {}

    private static Run run(String... argv) throws Exception {
        Process process = new ProcessBuilder(argv).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        String out = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as(String.join(" ", argv)).isTrue();
        return new Run(process.exitValue(), out);
    }
}
