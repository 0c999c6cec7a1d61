package io.strata.control;

import io.strata.backupstore.BackupProgress;
import io.strata.backupstore.BackupStore.BackupRequest;
import io.strata.backupstore.format.BackupConfig;
import io.strata.backupstore.format.BackupUrl;
import io.strata.backupstore.format.Compression;
import io.strata.domain.SnapshotName;
import io.strata.domain.StrataException;
import io.strata.domain.VolumeName;
import io.strata.engine.Volume;
import io.strata.engine.VolumeStore;
import java.io.IOException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/** Backups of engine volumes to backup targets, and restores from backups into new engine volumes. */
public final class VolumeBackups {
    /** Label on a snapshot taken for a backup: the backup's name. */
    public static final String BACKUP_LABEL = "strata.io/backup";

    /**
     * What to back up and how.
     *
     * @param blockSize 2 or 16 MiB for a new backup volume, or 0 for the backup volume's own (2 MiB for a new one)
     */
    public record BackupSpec(String targetUrl, VolumeName volume, Optional<SnapshotName> snapshot, boolean full,
                             Compression compression, Optional<String> name, Map<String, String> labels, long blockSize) {
        /** A backup in the backup volume's own block size. */
        public BackupSpec(String targetUrl, VolumeName volume, Optional<SnapshotName> snapshot, boolean full,
                          Compression compression, Optional<String> name, Map<String, String> labels) {
            this(targetUrl, volume, snapshot, full, compression, name, labels, 0);
        }
    }

    /** A backup made: its cfg and where it lives. */
    public record Made(BackupConfig config, BackupUrl url) {
        /** The handle a VolumeSnapshotContent carries: {@code bak://VOLUME/BACKUP}. */
        public String handle() {
            return "bak://" + url.volume() + "/" + config.name();
        }
    }

    private final VolumeStore volumes;
    private final BackupService backups;

    public VolumeBackups(VolumeStore volumes, BackupService backups) {
        this.volumes = volumes;
        this.backups = backups;
    }

    /** A fresh backup name, {@code backup-} and 16 hex digits: what a backup is called when no name is given. */
    public static String newBackupName() {
        return "backup-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
    }

    /**
     * The block size a user asks for: {@code 2Mi} or {@code 16Mi} (or the same in bytes); null or empty
     * is 0, the backup volume's own (2 MiB for a new one).
     *
     * @throws StrataException.InvalidArgument for any other size
     */
    public static long blockSize(String requested) {
        return BackupConfig.requestedBlockSize(requested);
    }

    /** The target-side use cases this works through. */
    public BackupService backups() {
        return backups;
    }

    /**
     * Backs up a snapshot of a volume; without one, takes a snapshot first (named and labelled after
     * the backup, and removed again if the backup fails). Incremental against the volume's last
     * backup when that backup's snapshot is still here, unless {@code full}.
     */
    public Made backup(BackupSpec spec, BackupProgress progress) throws IOException {
        try {
            return backupOf(spec, progress);
        } catch (IOException | RuntimeException e) {
            progress.fail(e);
            throw e;
        }
    }

    private Made backupOf(BackupSpec spec, BackupProgress progress) throws IOException {
        Volume volume = volumes.open(spec.volume());
        String name = spec.name().orElseGet(VolumeBackups::newBackupName);
        BackupUrl.of(spec.targetUrl(), spec.volume().value(), name); // validates both names before anything is done
        SnapshotName snapshot;
        boolean taken = spec.snapshot().isEmpty();
        if (taken) {
            snapshot = SnapshotName.of(name);
            volume.createSnapshot(snapshot, Map.of(BACKUP_LABEL, name), false);
        } else {
            snapshot = spec.snapshot().get();
            volume.snapshot(snapshot); // NotFound before the target is even opened
        }
        try (SnapshotBackupSource source = new SnapshotBackupSource(volume, snapshot)) {
            BackupConfig cfg = backups.withStore(spec.targetUrl(), (store, target) -> store.backup(new BackupRequest(
                    spec.volume().value(), Optional.of(name), source, spec.full(), spec.compression(),
                    spec.blockSize(), spec.labels(), backups.workers()), progress));
            return new Made(cfg, BackupUrl.of(spec.targetUrl(), spec.volume().value(), name));
        } catch (IOException | RuntimeException e) {
            if (taken) {
                try {
                    volume.deleteSnapshot(snapshot);
                } catch (IOException | RuntimeException cleanup) {
                    e.addSuppressed(cleanup);
                }
            }
            throw e;
        }
    }

    /**
     * Restores a backup into a new volume of the backup's size, or {@code size} when larger. A
     * failed restore removes the new volume: a half-restored volume is never left to be used.
     */
    public Volume restore(String backupUrl, VolumeName newVolume, Optional<Long> size, BackupProgress progress) throws IOException {
        VolumeName.ofNew(newVolume.value()); // before anything is made: a one-character volume could never be backed up
        try {
            return restoreInto(backupUrl, newVolume, size, progress);
        } catch (IOException | RuntimeException e) {
            progress.fail(e);
            throw e;
        }
    }

    private Volume restoreInto(String backupUrl, VolumeName newVolume, Optional<Long> size, BackupProgress progress) throws IOException {
        BackupUrl url = BackupService.backupUrlWithName(backupUrl);
        Volume volume = volumes.create(newVolume, sizeFor(url, size));
        try {
            restoreInto(url, volume, progress);
            return volume;
        } catch (IOException | RuntimeException | Error e) { // an Error too (out of memory): no half volume either way
            boolean interrupted = Thread.interrupted(); // an interrupt stopped the restore; it must not stop the cleanup too
            try {
                volumes.delete(newVolume);
            } catch (IOException | RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
            throw e;
        }
    }

    /**
     * The size of a volume restored from {@code url}: the backup's, or {@code size} when that is larger.
     *
     * @throws StrataException.OutOfRange when {@code size} is smaller than the backup
     * @throws StrataException.NotFound   when there is no such backup
     * @throws StrataException.Unavailable while the backup is still being made
     */
    public long sizeFor(BackupUrl url, Optional<Long> size) throws IOException {
        return backups.withStore(url.target(), (store, target) -> {
            BackupConfig cfg = BackupService.existing(store, url);
            if (cfg.inProgress()) {
                if (store.catalog().isAbandoned(cfg)) {
                    throw new StrataException.FailedPrecondition("backup '" + cfg.name() + "' of volume '" + url.volume()
                            + "' was abandoned before it was complete and cannot be restored: pick another backup");
                }
                throw new StrataException.Unavailable("backup '" + cfg.name() + "' of volume '" + url.volume()
                        + "' is still being made; it can be restored once it is complete");
            }
            long backupSize = store.volumeSize(cfg);
            if (size.isPresent() && size.get() < backupSize) {
                throw new StrataException.OutOfRange("backup '" + cfg.name() + "' holds " + backupSize
                        + " bytes; a volume restored from it needs at least that size, not " + size.get());
            }
            return Math.max(backupSize, size.orElse(0L));
        });
    }

    /**
     * Restores a backup into an existing volume at least as large, which must read as zeroes or hold
     * an earlier, interrupted restore of the same backup: only the backup's blocks are written.
     */
    public void restoreInto(BackupUrl url, Volume volume, BackupProgress progress) throws IOException {
        backups.withStore(url.target(), (store, target) -> {
            store.restore(url.volume(), BackupService.existing(store, url).name(), new VolumeRestoreSink(volume),
                    backups.workers(), progress);
            return null;
        });
    }
}
