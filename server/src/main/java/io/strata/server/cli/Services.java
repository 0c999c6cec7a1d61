package io.strata.server.cli;

import io.strata.backupstore.BackupTargets;
import io.strata.backupstore.lock.DirectoryLockJournal;
import io.strata.backupstore.target.NfsMount;
import io.strata.control.BackupService;
import io.strata.control.VolumeBackups;
import io.strata.engine.VolumeStore;
import io.strata.server.ServerConfig;
import java.nio.file.Path;
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

    /**
     * @param volumes the opened data directory, or null for commands that only look at a backup target
     */
    Services(VolumeStore volumes, Path dataDir, Map<String, String> env) {
        this.volumes = volumes;
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

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
