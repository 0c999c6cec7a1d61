package io.strata.server.cli;

import io.strata.backupstore.BackupProgress;
import io.strata.backupstore.format.BackupConfig;
import io.strata.backupstore.format.BackupUrl;
import io.strata.backupstore.format.Compression;
import io.strata.backupstore.format.VolumeConfig;
import io.strata.control.BackupService;
import io.strata.control.BackupService.BackupEntry;
import io.strata.control.VolumeBackups;
import io.strata.server.api.ApiModel;
import java.util.Map;
import java.util.TreeMap;

/** The {@code --json} shapes of {@code strata backup}: add fields, never rename them (see {@link Json}). */
final class BackupJson {
    private BackupJson() {}

    /** in-progress, failed (abandoned in progress by a process that is gone), complete, or broken (its cfg cannot be read). */
    static String state(BackupEntry entry) {
        if (entry.isBroken()) {
            return "broken";
        }
        if (!entry.config().inProgress()) {
            return "complete";
        }
        return entry.abandoned() ? "failed" : "in-progress";
    }

    /** {@code state}: ok, or broken when its volume.cfg cannot be read ({@code error} says why). */
    record BackupVolume(String name, long sizeBytes, String created, String lastBackup, String lastBackupAt,
                        String compression, Map<String, String> labels, String state, String error) {
        static BackupVolume of(VolumeConfig v) {
            return new BackupVolume(v.name(), v.size(), emptyToNull(v.createdTime()), emptyToNull(v.lastBackupName()),
                    emptyToNull(v.lastBackupAt()), v.compression().method(), new TreeMap<>(v.labels()), "ok", null);
        }

        static BackupVolume of(BackupService.BackupVolumeEntry entry) {
            return entry.config().map(BackupVolume::of).orElseGet(() -> new BackupVolume(entry.name(), 0, null, null, null, null,
                    Map.of(), "broken", entry.broken().orElse(null)));
        }

        static BackupVolume of(ApiModel.BackupVolume v) {
            return new BackupVolume(v.name(), v.sizeBytes(), v.created(), v.lastBackup(), v.lastBackupAt(), v.compression(),
                    v.labels() == null ? Map.of() : new TreeMap<>(v.labels()), v.state() == null ? "ok" : v.state(), v.error());
        }
    }

    record Backup(String name, String volume, String state, String snapshot, String snapshotCreated, String completed,
                  boolean incremental, long volumeSizeBytes, long dataBytes, int blocks, long blockSize,
                  String compression, long newlyUploadedBytes, long reUploadedBytes, Map<String, String> labels,
                  String url, String handle, String error) {
        static Backup of(BackupEntry entry, String targetUrl) {
            BackupConfig c = entry.config();
            if (entry.isBroken()) {
                return new Backup(c.name(), c.volumeName(), "broken", null, null, null, false, 0, 0, 0, 0, null, 0, 0, Map.of(),
                        BackupUrl.of(targetUrl, c.volumeName(), c.name()).forLonghorn(), "bak://" + c.volumeName() + "/" + c.name(),
                        entry.broken().get());
            }
            return new Backup(c.name(), c.volumeName(), BackupJson.state(entry), emptyToNull(c.snapshotName()),
                    emptyToNull(c.snapshotCreatedAt()), emptyToNull(c.createdTime()), c.incremental(), entry.volumeSize(),
                    c.size(), c.blocks().size(), c.blockSize(), Compression.fromMethod(c.compressionMethod()).method(),
                    c.newlyUploadedDataSize(), c.reUploadedDataSize(), new TreeMap<>(c.labels()),
                    BackupUrl.of(targetUrl, c.volumeName(), c.name()).forLonghorn(), "bak://" + c.volumeName() + "/" + c.name(),
                    entry.abandoned() && c.inProgress() ? "abandoned in progress by the process making it" : null);
        }

        static Backup of(ApiModel.Backup b) {
            return new Backup(b.name(), b.volume(), b.state(), b.snapshot(), b.snapshotCreated(), b.completed(), b.incremental(),
                    b.volumeSizeBytes(), b.dataBytes(), b.blocks(), b.blockSize(), b.compression(), b.newlyUploadedBytes(),
                    b.reUploadedBytes(), b.labels() == null ? Map.of() : new TreeMap<>(b.labels()), b.url(), b.handle(), b.error());
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
