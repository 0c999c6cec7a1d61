package io.strata.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.backupstore.BackupTargets;
import io.strata.backupstore.target.NfsMount;
import io.strata.control.BackupService;
import io.strata.control.KeyedLocks;
import io.strata.control.SnapshotService;
import io.strata.control.VolumeService;
import io.strata.control.VolumeService.Source;
import io.strata.control.job.JobRecord;
import io.strata.control.job.Jobs;
import io.strata.control.state.StateStore;
import io.strata.domain.SnapshotName;
import io.strata.domain.StrataException;
import io.strata.domain.VolumeName;
import io.strata.engine.VolumeStore;
import io.strata.engine.storage.LocalStorage;
import io.strata.engine.storage.Storage;
import io.strata.engine.storage.StorageFile;
import io.strata.nbd.EngineExports;
import io.strata.nbd.Export;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The instant a volume being restored or cloned appears in the data directory, its NBD export is
 * already refused: an NBD client that connects between the volume's creation and its job's record
 * would otherwise be served the zeroes it holds before its content arrives. The data directory's
 * storage asks for the export (as {@link StrataServer} wires it) right when the new volume's directory
 * is renamed into place, which is the earliest any client could find it.
 */
class ExportAtVolumeCreationTest {
    private static final int MiB = 1 << 20;

    @TempDir
    Path tmp;
    private final ScheduledExecutorService backupWorkers = Executors.newScheduledThreadPool(2);
    private final ScheduledExecutorService jobThread = Executors.newScheduledThreadPool(1);
    /** What an export of the watched volume answered when the volume appeared. */
    private final List<String> seen = new CopyOnWriteArrayList<>();
    private volatile String watched = "";
    private volatile EngineExports exports;
    private VolumeStore store;
    private VolumeService volumes;
    private SnapshotService snapshots;

    @BeforeEach
    void setUp() throws IOException {
        Path data = tmp.resolve("data");
        store = VolumeStore.open(data, new ProbingStorage(new LocalStorage()));
        String target = "file://" + Files.createDirectory(tmp.resolve("backups"));
        BackupTargets real = new BackupTargets(Map.of(), tmp.resolve("mounts"), NfsMount.system());
        BackupService backups = new BackupService(url -> real.open(url), Duration.ZERO, backupWorkers, 2);
        StateStore state = new StateStore(data.resolve("state"));
        Jobs jobs = new Jobs(store, backups, state.table("jobs", JobRecord.class), jobThread, Clock.systemUTC(),
                List.of(Duration.ofMillis(50)));
        KeyedLocks locks = new KeyedLocks();
        volumes = new VolumeService(store, jobs, locks, state, data, target, Clock.systemUTC());
        snapshots = new SnapshotService(store, backups, jobs, locks, target);
        exports = StrataServer.exports(store, jobs);

        volumes.create(VolumeName.of("source"), 4 * MiB, 0, new Source.Empty());
        byte[] content = new byte[4 * MiB];
        new Random(2).nextBytes(content);
        store.open(VolumeName.of("source")).writeAt(ByteBuffer.wrap(content), 0);
    }

    @AfterEach
    void tearDown() throws Exception {
        // the jobs end on their own (4 MiB): an interrupt would close the volume's files under the store
        jobThread.shutdown();
        jobThread.awaitTermination(30, TimeUnit.SECONDS);
        backupWorkers.shutdown();
        backupWorkers.awaitTermination(30, TimeUnit.SECONDS);
        store.close();
    }

    @Test
    void aVolumeRestoredFromABackupIsRefusedOverNbdFromTheMomentItExists() throws Exception {
        SnapshotService.SnapshotView backup = snapshots.create(SnapshotName.of("snapshot-1"), VolumeName.of("source"),
                SnapshotService.Kind.BAK, false, Map.of());
        for (int i = 0; i < 1500 && !snapshots.find(backup.handle()).orElseThrow().ready(); i++) {
            Thread.sleep(20);
        }
        assertThat(snapshots.find(backup.handle()).orElseThrow().ready()).as("backup made").isTrue();

        watched = "restored";
        volumes.create(VolumeName.of("restored"), 0, 0, new Source.OfSnapshot(backup.handle()));

        assertThat(seen).singleElement().asString()
                .startsWith("refused: volume 'restored' is still being restored from backup backup-")
                .contains("it can be served over NBD once that is done");
    }

    @Test
    void aVolumeClonedFromAnotherIsRefusedOverNbdFromTheMomentItExists() throws Exception {
        watched = "copy";
        volumes.create(VolumeName.of("copy"), 0, 0, new Source.OfVolume(VolumeName.of("source")));

        assertThat(seen).singleElement().asString()
                .startsWith("refused: volume 'copy' is still being cloned from volume 'source'");
    }

    /** Opens the watched volume's export as an NBD client would, and notes what it was told. */
    private void probe(String volume) {
        if (!volume.equals(watched)) {
            return;
        }
        try {
            Optional<Export> export = exports.open(volume);
            seen.add(export.isPresent() ? "served" : "no such export");
            if (export.isPresent()) {
                export.get().close();
            }
        } catch (StrataException.Unavailable | StrataException.FailedPrecondition refused) {
            seen.add("refused: " + refused.getMessage());
        } catch (Exception e) {
            seen.add("failed: " + e);
        }
    }

    /** The local file system, which probes the export of a volume as soon as its directory is renamed into place. */
    private final class ProbingStorage implements Storage {
        private final Storage delegate;

        ProbingStorage(Storage delegate) {
            this.delegate = delegate;
        }

        @Override
        public void move(Path from, Path to) throws IOException {
            delegate.move(from, to);
            if (to.getParent() != null && to.getParent().getFileName().toString().equals("volumes")) {
                probe(to.getFileName().toString());
            }
        }

        @Override
        public StorageFile open(Path path, boolean create) throws IOException {
            return delegate.open(path, create);
        }

        @Override
        public boolean exists(Path path) {
            return delegate.exists(path);
        }

        @Override
        public boolean isDirectory(Path path) {
            return delegate.isDirectory(path);
        }

        @Override
        public void createDirectories(Path dir) throws IOException {
            delegate.createDirectories(dir);
        }

        @Override
        public boolean makePrivate(Path dir) throws IOException {
            return delegate.makePrivate(dir);
        }

        @Override
        public List<String> list(Path dir) throws IOException {
            return delegate.list(dir);
        }

        @Override
        public void delete(Path path) throws IOException {
            delegate.delete(path);
        }

        @Override
        public void syncDirectory(Path dir) throws IOException {
            delegate.syncDirectory(dir);
        }

        @Override
        public Closeable lockExclusively(Path lockFile) throws IOException {
            return delegate.lockExclusively(lockFile);
        }

        @Override
        public long largestFile(Path dir, long atMost) throws IOException {
            return delegate.largestFile(dir, atMost);
        }

        @Override
        public String fileSystemType(Path dir) throws IOException {
            return delegate.fileSystemType(dir);
        }
    }
}
