package io.strata.control;

import io.strata.backupstore.BackupCatalog;
import io.strata.backupstore.BackupStore;
import io.strata.backupstore.BackupTargets;
import io.strata.backupstore.format.BackupConfig;
import io.strata.backupstore.format.BackupUrl;
import io.strata.backupstore.format.VolumeConfig;
import io.strata.backupstore.lock.BackupLock;
import io.strata.backupstore.target.BackupTarget;
import io.strata.domain.Hint;
import io.strata.domain.StrataException;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What is in backup targets: backup volumes and backups, their inspection, verification and
 * deletion. Each call opens the target its URL names and closes it again. Backing volumes up and
 * restoring them is {@link VolumeBackups}.
 */
public final class BackupService {
    /** Parallel block workers when not told otherwise: twice the cores (the target's latency hides behind them), 2 to 16. */
    public static final int DEFAULT_WORKERS = Math.clamp(2L * Runtime.getRuntime().availableProcessors(), 2, 16);

    /** A backup and what it restores to. */
    public record BackupEntry(BackupConfig config, long volumeSize, boolean abandoned) {}

    /**
     * Opens the backup target a URL names. {@link BackupTargets#open} in production; a test may wrap
     * the target it opens, e.g. to slow it down or make it fail.
     */
    @FunctionalInterface
    public interface TargetOpener {
        BackupTarget open(String url) throws IOException;
    }

    private final TargetOpener targets;
    private final Duration lockSettle;
    private final ScheduledExecutorService scheduler;
    private final int workers;

    /**
     * @param lockSettle how long a lock attempt waits for rivals ({@link BackupLock#SETTLE}, Longhorn's 2 s)
     * @param scheduler  refreshes held locks
     */
    public BackupService(BackupTargets targets, Duration lockSettle, ScheduledExecutorService scheduler, int workers) {
        this(targets::open, lockSettle, scheduler, workers);
    }

    /** As {@link #BackupService(BackupTargets, Duration, ScheduledExecutorService, int)}, with targets opened by {@code targets}. */
    public BackupService(TargetOpener targets, Duration lockSettle, ScheduledExecutorService scheduler, int workers) {
        this.targets = targets;
        this.lockSettle = lockSettle;
        this.scheduler = scheduler;
        this.workers = workers;
    }

    private BackupStore store(BackupTarget target) {
        return new BackupStore(target, (v, t) -> BackupLock.acquire(target, v, t, Clock.systemUTC(), lockSettle, scheduler),
                Clock.systemUTC());
    }

    /** Work done on one opened target's store; the target is closed after it. */
    public interface StoreWork<T> {
        T run(BackupStore store, BackupTarget target) throws IOException;
    }

    /** Opens the target {@code targetUrl} names, runs {@code work} on its store, and closes it. */
    public <T> T withStore(String targetUrl, StoreWork<T> work) throws IOException {
        try (BackupTarget target = targets.open(targetUrl)) {
            return work.run(store(target), target);
        }
    }

    public int workers() {
        return workers;
    }

    /** Every backup volume in a target, sorted by name. */
    public List<VolumeConfig> backupVolumes(String targetUrl) throws IOException {
        try (BackupTarget target = targets.open(targetUrl)) {
            BackupCatalog catalog = store(target).catalog();
            List<VolumeConfig> out = new ArrayList<>();
            for (String name : catalog.volumes()) {
                catalog.volumeConfig(name).ifPresent(out::add);
            }
            return out;
        }
    }

    /** A backup volume's backups, oldest first (by snapshot time, then name); an unknown volume has none. */
    public List<BackupEntry> backups(String targetUrl, String volume) throws IOException {
        try (BackupTarget target = targets.open(targetUrl)) {
            BackupCatalog catalog = store(target).catalog();
            List<BackupEntry> out = new ArrayList<>();
            for (String name : catalog.backups(volume)) {
                Optional<BackupConfig> cfg = catalog.backupConfig(volume, name);
                if (cfg.isPresent()) {
                    out.add(new BackupEntry(cfg.get(), catalog.volumeSize(cfg.get()), catalog.isAbandoned(cfg.get())));
                }
            }
            out.sort(java.util.Comparator.comparing((BackupEntry e) -> e.config().snapshotCreatedAt())
                    .thenComparing(e -> e.config().createdTime().isEmpty() ? "~" : e.config().createdTime()) // in progress: last
                    .thenComparing(e -> e.config().name()));
            return out;
        }
    }

    public BackupEntry inspect(String backupUrl) throws IOException {
        BackupUrl url = backupUrlWithName(backupUrl);
        try (BackupTarget target = targets.open(url.target())) {
            BackupStore store = store(target);
            BackupConfig cfg = existing(store, url);
            return new BackupEntry(cfg, store.volumeSize(cfg), store.catalog().isAbandoned(cfg));
        }
    }

    /** @return one line per problem; empty when every block is there and whole */
    public List<String> verify(String backupUrl) throws IOException {
        BackupUrl url = backupUrlWithName(backupUrl);
        try (BackupTarget target = targets.open(url.target())) {
            BackupStore store = store(target);
            return store.verify(url.volume(), existing(store, url).name(), workers);
        }
    }

    /** Deletes a backup and collects the blocks nothing references any more; an unknown backup is fine. */
    public long delete(String backupUrl) throws IOException {
        BackupUrl url = backupUrlWithName(backupUrl);
        try (BackupTarget target = targets.open(url.target())) {
            return store(target).delete(url.volume(), url.backup().orElseThrow());
        }
    }

    /** Deletes a backup volume: all its backups and blocks. */
    public void deleteVolume(String targetUrl, String volume) throws IOException {
        try (BackupTarget target = targets.open(targetUrl)) {
            store(target).deleteVolume(volume);
        }
    }

    static BackupConfig existing(BackupStore store, BackupUrl url) throws IOException {
        return store.backupConfig(url.volume(), url.backup().orElseThrow()).orElseThrow(() -> new StrataException.NotFound(
                "backup '" + url.backup().orElseThrow() + "' of volume '" + url.volume() + "' does not exist in " + url.target())
                .withHint(new Hint.ListBackups(url.target(), url.volume())));
    }

    static BackupUrl backupUrlWithName(String backupUrl) {
        BackupUrl url = BackupUrl.decode(backupUrl);
        if (url.backup().isEmpty()) {
            throw new StrataException.InvalidArgument("'" + backupUrl + "' names a backup volume, not a backup: add &backup=NAME");
        }
        return url;
    }
}
