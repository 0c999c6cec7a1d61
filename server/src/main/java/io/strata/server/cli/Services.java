package io.strata.server.cli;

import io.strata.backupstore.BackupTargets;
import io.strata.backupstore.lock.DirectoryLockJournal;
import io.strata.backupstore.target.NfsMount;
import io.strata.control.BackupService;
import io.strata.control.VolumeBackups;
import io.strata.control.job.JobRecord;
import io.strata.control.job.Jobs;
import io.strata.control.state.StateStore;
import io.strata.engine.VolumeStore;
import io.strata.server.ServerConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/** The use cases one CLI run needs, wired by hand; closing it stops the lock-refresh thread. */
final class Services implements AutoCloseable {
    /** Seconds a backupstore lock attempt waits for rivals before it looks (Longhorn's 2 s when unset). */
    static final String LOCK_SETTLE_ENV = ServerConfig.BACKUP_LOCK_SETTLE_ENV;

    private final VolumeStore volumes;
    private final ScheduledExecutorService scheduler;
    private final BackupService backups;
    private final Path dataDir;

    /**
     * @param volumes the opened data directory, or null for commands that only look at a backup target
     */
    Services(VolumeStore volumes, Path dataDir, Map<String, String> env) {
        this.volumes = volumes;
        this.dataDir = dataDir;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("backup-lock-refresh").factory());
        BackupTargets targets = new BackupTargets(env, dataDir.resolve("mounts"), NfsMount.system(),
                new DirectoryLockJournal(dataDir.resolve(ServerConfig.LOCK_JOURNAL_DIRECTORY)));
        this.backups = new BackupService(targets, lockSettle(env), scheduler, BackupService.DEFAULT_WORKERS);
    }

    private static Duration lockSettle(Map<String, String> env) {
        return ServerConfig.backupLockSettle(env);
    }

    BackupService backups() {
        return backups;
    }

    VolumeBackups volumeBackups() {
        if (volumes == null) {
            throw new IllegalStateException("this command did not open the data directory");
        }
        return new VolumeBackups(volumes, backups);
    }

    /**
     * The data directory's job records, as the server keeps them: to list them, and to cancel one a
     * stopped server would resume. Runs nothing by itself.
     */
    Jobs jobs() throws IOException {
        if (volumes == null) {
            throw new IllegalStateException("this command did not open the data directory");
        }
        StateStore state = new StateStore(dataDir.resolve("state"));
        return new Jobs(volumes, backups, state.table("jobs", JobRecord.class), scheduler, Clock.systemUTC(), Jobs.RETRY_DELAYS);
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
