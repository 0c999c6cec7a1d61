package io.strata.control;

import io.strata.backupstore.BackupCatalog;
import io.strata.backupstore.BackupStore;
import io.strata.backupstore.BackupTargets;
import io.strata.backupstore.format.BackupConfig;
import io.strata.backupstore.format.BackupUrl;
import io.strata.backupstore.format.VolumeConfig;
import io.strata.backupstore.lock.BackupLock;
import io.strata.backupstore.lock.LockJournal;
import io.strata.backupstore.lock.LockTiming;
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

    /**
     * A backup and what it restores to; or one whose cfg cannot be read ({@code broken} says why, and
     * {@code config} holds only its name and volume). A broken backup is listed, not hidden: it is
     * still there, it holds off garbage collection, and an operator must see it to repair or delete it.
     */
    public record BackupEntry(BackupConfig config, long volumeSize, boolean abandoned, Optional<String> broken) {
        public BackupEntry(BackupConfig config, long volumeSize, boolean abandoned) {
            this(config, volumeSize, abandoned, Optional.empty());
        }

        /** A backup named {@code name} whose cfg cannot be read, for {@code why}. */
        public static BackupEntry broken(String volume, String name, String why) {
            return new BackupEntry(new BackupConfig(name, volume, "", "", "", 0, null, null, false, "", 0, 0, null, ""), 0, false,
                    Optional.of(why));
        }

        public boolean isBroken() {
            return broken.isPresent();
        }
    }

    /** A backup volume: its volume.cfg, or why that cannot be read ({@code broken}). */
    public record BackupVolumeEntry(String name, Optional<VolumeConfig> config, Optional<String> broken) {}

    /**
     * Opens the backup target a URL names. {@link BackupTargets#open} in production; a test may wrap
     * the target it opens, e.g. to slow it down or make it fail.
     */
    @FunctionalInterface
    public interface TargetOpener {
        BackupTarget open(String url) throws IOException;
    }

    private final TargetOpener targets;
    private final LockJournal journal;
    private final Duration lockSettle;
    private final ScheduledExecutorService scheduler;
    private final int workers;

    /**
     * @param lockSettle how long a lock attempt waits for rivals ({@link BackupLock#SETTLE}, Longhorn's 2 s)
     * @param scheduler  refreshes held locks
     */
    public BackupService(BackupTargets targets, Duration lockSettle, ScheduledExecutorService scheduler, int workers) {
        this(targets::open, targets.journal(), lockSettle, scheduler, workers);
    }

    /** As {@link #BackupService(BackupTargets, Duration, ScheduledExecutorService, int)}, with targets opened by {@code targets}. */
    public BackupService(TargetOpener targets, Duration lockSettle, ScheduledExecutorService scheduler, int workers) {
        this(targets, LockJournal.NONE, lockSettle, scheduler, workers);
    }

    private BackupService(TargetOpener targets, LockJournal journal, Duration lockSettle, ScheduledExecutorService scheduler,
                          int workers) {
        this.targets = targets;
        this.journal = journal;
        this.lockSettle = lockSettle;
        this.scheduler = scheduler;
        this.workers = workers;
    }

    private BackupStore store(BackupTarget target) {
        return new BackupStore(target, BackupStore.Locks.of(target, LockTiming.longhorn(Clock.systemUTC(), lockSettle), journal,
                scheduler), Clock.systemUTC());
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

    /** Every backup volume in a target whose volume.cfg can be read, sorted by name. */
    public List<VolumeConfig> backupVolumes(String targetUrl) throws IOException {
        return backupVolumeEntries(targetUrl).stream().flatMap(v -> v.config().stream()).toList();
    }

    /**
     * Every backup volume in a target, sorted by name, those whose volume.cfg cannot be read
     * included as broken: one damaged cfg does not hide the others. A target that cannot be listed
     * still throws.
     */
    public List<BackupVolumeEntry> backupVolumeEntries(String targetUrl) throws IOException {
        try (BackupTarget target = targets.open(targetUrl)) {
            BackupCatalog catalog = store(target).catalog();
            List<BackupVolumeEntry> out = new ArrayList<>();
            for (String name : catalog.volumes()) {
                try {
                    catalog.volumeConfig(name).ifPresent(v -> out.add(new BackupVolumeEntry(name, Optional.of(v), Optional.empty())));
                } catch (StrataException.Corrupt unreadable) {
                    out.add(new BackupVolumeEntry(name, Optional.empty(), Optional.of(unreadable.getMessage())));
                }
            }
            return out;
        }
    }

    /**
     * A backup volume's backups, oldest first (by snapshot time, then name), those whose cfg cannot be
     * read last, as broken; an unknown volume has none.
     */
    public List<BackupEntry> backups(String targetUrl, String volume) throws IOException {
        try (BackupTarget target = targets.open(targetUrl)) {
            BackupCatalog catalog = store(target).catalog();
            long bound = catalog.backupConfigBound(volume); // volume.cfg read once for the listing, not once per backup
            List<BackupEntry> out = new ArrayList<>();
            List<BackupEntry> broken = new ArrayList<>();
            for (String name : catalog.backups(volume)) {
                try {
                    Optional<BackupConfig> cfg = catalog.backupConfig(volume, name, bound);
                    if (cfg.isPresent()) {
                        out.add(new BackupEntry(cfg.get(), sizeOf(catalog, cfg.get()), catalog.isAbandoned(cfg.get())));
                    }
                } catch (StrataException.Corrupt unreadable) {
                    broken.add(BackupEntry.broken(volume, name, unreadable.getMessage()));
                }
            }
            out.sort(java.util.Comparator.comparing((BackupEntry e) -> e.config().snapshotCreatedAt())
                    .thenComparing(e -> e.config().createdTime().isEmpty() ? "~" : e.config().createdTime()) // in progress: last
                    .thenComparing(e -> e.config().name()));
            out.addAll(broken);
            return out;
        }
    }

    /** The backup's volume size; its own cfg's when volume.cfg, which older backups need, is unreadable. */
    private static long sizeOf(BackupCatalog catalog, BackupConfig cfg) throws IOException {
        try {
            return catalog.volumeSize(cfg);
        } catch (StrataException.Corrupt unreadable) {
            return cfg.size();
        }
    }

    public BackupEntry inspect(String backupUrl) throws IOException {
        BackupUrl url = backupUrlWithName(backupUrl);
        try (BackupTarget target = targets.open(url.target())) {
            BackupStore store = store(target);
            BackupConfig cfg = existing(store, url);
            return new BackupEntry(cfg, sizeOf(store.catalog(), cfg), store.catalog().isAbandoned(cfg));
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
