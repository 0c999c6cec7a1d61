package io.strata.control.job;

import io.strata.backupstore.BackupProgress;
import io.strata.backupstore.format.BackupUrl;
import io.strata.backupstore.format.Compression;
import io.strata.control.BackupService;
import io.strata.control.VolumeBackups;
import io.strata.control.VolumeBackups.BackupSpec;
import io.strata.domain.SnapshotName;
import io.strata.domain.VolumeName;
import io.strata.engine.Volume;
import io.strata.engine.VolumeStore;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;

/** The work behind backup and restore jobs, from their records: what a first run and a resumed one both do. */
final class TransferJob {
    private final VolumeStore volumes;
    private final VolumeBackups volumeBackups;

    TransferJob(VolumeStore volumes, VolumeBackups volumeBackups) {
        this.volumes = volumes;
        this.volumeBackups = volumeBackups;
    }

    void runBackup(JobRecord job, BackupProgress progress) throws IOException {
        BackupUrl url = BackupUrl.of(job.target(), job.volume(), job.backup());
        BackupService backups = volumeBackups.backups();
        boolean done = backups.withStore(job.target(), (store, target) -> store.backupConfig(job.volume(), job.backup())
                .map(cfg -> !cfg.inProgress()).orElse(false));
        if (done) {
            return; // it completed before the process stopped, which then could not record it
        }
        SnapshotName snapshot = SnapshotName.of(job.snapshot());
        Map<String, String> labels = job.labels();
        if (labels == null) {
            labels = new java.util.HashMap<>(volumes.open(VolumeName.of(job.volume())).snapshot(snapshot).labels());
            labels.remove(VolumeBackups.BACKUP_LABEL);
        }
        Compression compression = job.compression() == null ? Compression.LZ4 : Compression.fromMethod(job.compression());
        volumeBackups.backup(new BackupSpec(url.target(), VolumeName.of(job.volume()), Optional.of(snapshot),
                "full".equals(job.mode()), compression, Optional.of(job.backup()), labels, job.blockSize()), progress);
    }

    void runRestore(JobRecord job, BackupProgress progress) throws IOException {
        Volume volume = volumes.open(VolumeName.of(job.volume()));
        volumeBackups.restoreInto(BackupUrl.of(job.target(), job.snapshot(), job.backup()), volume, progress);
    }
}
