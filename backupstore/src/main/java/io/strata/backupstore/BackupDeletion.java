package io.strata.backupstore;

import io.strata.backupstore.format.BackupConfig;
import io.strata.backupstore.format.ConfigCodec;
import io.strata.backupstore.format.StoreLayout;
import io.strata.backupstore.format.VolumeConfig;
import io.strata.backupstore.lock.BackupLock;
import io.strata.backupstore.target.BackupTarget;
import io.strata.domain.StrataException;
import java.io.IOException;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** Deleting backups and backup volumes, and collecting the blocks no backup references any more. */
final class BackupDeletion {
    private final BackupTarget target;
    private final BackupStore.Locks locks;
    private final BackupCatalog catalog;
    private final Clock clock;

    BackupDeletion(BackupTarget target, BackupStore.Locks locks, BackupCatalog catalog, Clock clock) {
        this.target = target;
        this.locks = locks;
        this.catalog = catalog;
        this.clock = clock;
    }

    /**
     * Deletes a backup, then collects the blocks no backup references any more. Deleting a backup
     * that does not exist succeeds, and still collects: a deletion that failed halfway is finished
     * by its retry. Blocks are collected only when the scan is safe: every cfg readable, none in
     * progress, and the set of backups the same before and after the scan; otherwise they wait for
     * the next deletion. It also removes what killed writes left (temporary files), once they are
     * older than a lock lives: the deletion lock excludes every backup and restore whose lock is
     * unexpired, so a writer that touched its file longer ago than that has died or lost its lock.
     *
     * @return how many blocks were removed
     */
    @SuppressWarnings("try") // the lock is held for the try's duration, not used in it
    public long delete(String volume, String backup) throws IOException {
        if (catalog.volumeConfig(volume).isEmpty() && catalog.backups(volume).isEmpty()) {
            return 0; // no such backup volume: nothing to delete, and no lock file to leave behind
        }
        try (BackupLock held = locks.lock(volume, BackupLock.Type.DELETION)) {
            target.delete(StoreLayout.backupConfig(volume, backup));
            Optional<VolumeConfig> volumeCfg = catalog.volumeConfig(volume);
            boolean wasLast = volumeCfg.map(v -> v.lastBackupName().equals(backup)).orElse(false);
            Collection gc = collectGarbage(volume, held);
            target.removeUnfinishedWrites(StoreLayout.volumeDirectory(volume), clock.instant().minus(locks.expiry()));
            if (volumeCfg.isPresent()) {
                held.checkHeld(); // a backup that started meanwhile may have written it
                VolumeConfig v = volumeCfg.get();
                String last = wasLast ? (gc.safe() ? gc.newestBackup() : "") : v.lastBackupName();
                String lastAt = wasLast ? (gc.safe() ? gc.newestAt() : "") : v.lastBackupAt();
                target.write(StoreLayout.volumeConfig(volume), ConfigCodec.encode(new VolumeConfig(volume, v.size(), v.labels(),
                        v.createdTime(), last, lastAt, gc.safe() ? gc.referencedBlocks() : v.blockCount(), v.backingImageName(),
                        v.backingImageChecksum(), v.compressionMethod(), v.storageClassName(), v.dataEngine())));
            }
            return gc.removed();
        }
    }

    /** Deletes a backup volume: every backup, block and lock of it. */
    @SuppressWarnings("try") // the lock is held for the try's duration, not used in it
    public void deleteVolume(String volume) throws IOException {
        try (BackupLock held = locks.lock(volume, BackupLock.Type.DELETION)) {
            for (String prefix : List.of(StoreLayout.backupsDirectory(volume), StoreLayout.blocksDirectory(volume))) {
                target.deleteAll(prefix);
            }
            target.delete(StoreLayout.volumeConfig(volume));
        }
        target.deleteAll(StoreLayout.volumeDirectory(volume)); // the locks, our own last
    }

    private record Collection(boolean safe, long removed, long referencedBlocks, String newestBackup, String newestAt) {}

    /**
     * Removes the cfgs of backups that failed without cleaning up (the target was unreachable when
     * they failed, or their process died): they hold no blocks, but in progress they would hold off
     * every collection.
     */
    private void removeAbandoned(String volume, BackupLock held) throws IOException {
        for (String name : catalog.backups(volume)) {
            held.checkHeld();
            try {
                Optional<BackupConfig> cfg = catalog.backupConfig(volume, name);
                if (cfg.isPresent() && catalog.isAbandoned(cfg.get())) {
                    target.delete(StoreLayout.backupConfig(volume, name));
                }
            } catch (StrataException.Corrupt unreadable) {
                // left alone: an unreadable cfg stops the collection below
            }
        }
    }

    /**
     * Collects under {@code held}, which must still hold when each block goes: a deletion that
     * stalled past its lock's expiry may face a backup that started meanwhile and reuses the very
     * blocks that looked unreferenced, so it stops instead of removing them.
     */
    private Collection collectGarbage(String volume, BackupLock held) throws IOException {
        removeAbandoned(volume, held);
        List<String> before = catalog.backups(volume);
        TreeSet<String> stored = catalog.blocks(volume);
        Set<String> referenced = new HashSet<>();
        String newest = "";
        String newestAt = "";
        for (String name : before) {
            BackupConfig cfg;
            try {
                Optional<BackupConfig> read = catalog.backupConfig(volume, name);
                if (read.isEmpty()) {
                    return new Collection(false, 0, 0, "", ""); // went away during the scan
                }
                cfg = read.get();
            } catch (StrataException.Corrupt unreadable) {
                return new Collection(false, 0, 0, "", "");
            }
            if (cfg.inProgress()) {
                return new Collection(false, 0, 0, "", "");
            }
            cfg.blocks().forEach(b -> referenced.add(b.checksum()));
            if (cfg.snapshotCreatedAt().compareTo(newestAt) > 0) {
                newest = cfg.name();
                newestAt = cfg.snapshotCreatedAt();
            }
        }
        if (!catalog.backups(volume).equals(before)) {
            return new Collection(false, 0, 0, "", "");
        }
        long removed = 0;
        long present = 0;
        held.confirmHeld();
        for (String checksum : stored) {
            if (referenced.contains(checksum)) {
                present++;
            } else {
                held.checkHeld();
                target.delete(StoreLayout.block(volume, checksum));
                removed++;
            }
        }
        return new Collection(true, removed, present, newest, newestAt);
    }

}
