package io.strata.server.cli;

import io.strata.backupstore.BackupProgress;
import io.strata.backupstore.format.BackupConfig;
import io.strata.backupstore.format.BackupUrl;
import io.strata.backupstore.format.Compression;
import io.strata.backupstore.format.VolumeConfig;
import io.strata.control.BackupService.BackupEntry;
import io.strata.control.VolumeBackups;
import io.strata.server.api.ApiModel;
import java.util.Map;
import java.util.TreeMap;

/** The {@code --json} shapes of {@code strata backup}: add fields, never rename them (see {@link Json}). */
final class BackupJson {
    private BackupJson() {}

    /** in-progress, failed (abandoned in progress by a process that is gone) or complete. */
    static String state(BackupEntry entry) {
        if (!entry.config().inProgress()) {
            return "complete";
        }
        return entry.abandoned() ? "failed" : "in-progress";
    }

    record BackupVolume(String name, long sizeBytes, String created, String lastBackup, String lastBackupAt,
                        String compression, Map<String, String> labels) {
        static BackupVolume of(VolumeConfig v) {
            return new BackupVolume(v.name(), v.size(), emptyToNull(v.createdTime()), emptyToNull(v.lastBackupName()),
                    emptyToNull(v.lastBackupAt()), v.compression().method(), new TreeMap<>(v.labels()));
        }

        static BackupVolume of(ApiModel.BackupVolume v) {
            return new BackupVolume(v.name(), v.sizeBytes(), v.created(), v.lastBackup(), v.lastBackupAt(), v.compression(),
                    new TreeMap<>(v.labels()));
        }
    }

    record Backup(String name, String volume, String state, String snapshot, String snapshotCreated, String completed,
                  boolean incremental, long volumeSizeBytes, long dataBytes, int blocks, long blockSize,
                  String compression, long newlyUploadedBytes, long reUploadedBytes, Map<String, String> labels,
                  String url, String handle) {
        static Backup of(BackupEntry entry, String targetUrl) {
            BackupConfig c = entry.config();
            return new Backup(c.name(), c.volumeName(), BackupJson.state(entry), emptyToNull(c.snapshotName()),
                    emptyToNull(c.snapshotCreatedAt()), emptyToNull(c.createdTime()), c.incremental(), entry.volumeSize(),
                    c.size(), c.blocks().size(), c.blockSize(), Compression.fromMethod(c.compressionMethod()).method(),
                    c.newlyUploadedDataSize(), c.reUploadedDataSize(), new TreeMap<>(c.labels()),
                    BackupUrl.of(targetUrl, c.volumeName(), c.name()).forLonghorn(), "bak://" + c.volumeName() + "/" + c.name());
        }

        static Backup of(ApiModel.Backup b) {
            return new Backup(b.name(), b.volume(), b.state(), b.snapshot(), b.snapshotCreated(), b.completed(), b.incremental(),
                    b.volumeSizeBytes(), b.dataBytes(), b.blocks(), b.blockSize(), b.compression(), b.newlyUploadedBytes(),
                    b.reUploadedBytes(), new TreeMap<>(b.labels()), b.url(), b.handle());
        }
    }

    record Created(String name, String volume, String snapshot, boolean incremental, long blocksNew, long blocksReused,
                   long bytesRead, long bytesUploaded, String url, String handle) {
        static Created of(VolumeBackups.Made made, BackupProgress p) {
            BackupConfig c = made.config();
            return new Created(c.name(), c.volumeName(), c.snapshotName(), c.incremental(), p.blocksNew(), p.blocksReused(),
                    p.bytesScanned(), p.bytesUploaded(), made.url().forLonghorn(), made.handle());
        }

        /** A backup a server's job made. */
        static Created of(ApiModel.Job job, ApiModel.Backup b) {
            ApiModel.Progress p = job.progress();
            return new Created(b.name(), b.volume(), b.snapshot(), b.incremental(), p.blocksNew(), p.blocksReused(), p.bytesDone(),
                    p.bytesUploaded(), b.url(), b.handle());
        }
    }

    private static String emptyToNull(String value) {
        return value == null || value.isEmpty() ? null : value;
    }
}
