package io.strata.server.api;

import io.strata.backupstore.format.BackupConfig;
import io.strata.backupstore.format.BackupUrl;
import io.strata.backupstore.format.Compression;
import io.strata.backupstore.format.VolumeConfig;
import io.strata.control.BackupService;
import io.strata.control.BackupService.BackupEntry;
import io.strata.control.BackupTargetSetting;
import io.strata.control.SnapshotService;
import io.strata.control.VolumeBackups;
import io.strata.control.VolumeService;
import io.strata.control.job.JobRecord;
import io.strata.control.job.Jobs;
import io.strata.domain.Hint;
import io.strata.domain.SnapshotHandle;
import io.strata.domain.SnapshotName;
import io.strata.domain.StrataException;
import io.strata.domain.VolumeName;
import io.strata.server.api.ApiModel.Backup;
import io.strata.server.api.ApiModel.BackupDeleted;
import io.strata.server.api.ApiModel.BackupVolume;
import io.strata.server.api.ApiModel.CreateBackup;
import io.strata.server.api.ApiModel.Job;
import io.strata.server.api.ApiModel.Restore;
import io.strata.server.api.ApiModel.Verification;
import io.strata.server.http.Request;
import io.strata.server.http.Response;
import io.strata.server.http.Route;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Backups in the backup target, {@code /api/v1/backup-volumes}: list, get, verify, restore into a
 * new volume (a job), delete; and {@code POST /api/v1/volumes/{volume}/backups}, which backs a
 * volume up (a job). Backups being made here are joined with their jobs, so a listing shows their
 * progress, and failures, before the target has them.
 */
public final class BackupsApi {
    static final String BACKUP_VOLUMES = "/api/v1/backup-volumes";
    private static final String BACKUPS = BACKUP_VOLUMES + "/{volume}/backups";

    private final BackupService backups;
    private final SnapshotService snapshots;
    private final VolumeService volumes;
    private final Jobs jobs;
    private final BackupTargetSetting target;

    public BackupsApi(BackupService backups, SnapshotService snapshots, VolumeService volumes, Jobs jobs, BackupTargetSetting target) {
        this.backups = backups;
        this.snapshots = snapshots;
        this.volumes = volumes;
        this.jobs = jobs;
        this.target = target;
    }

    public List<Route> routes() {
        return List.of(
                Route.post(VolumesApi.VOLUMES + "/{volume}/backups", this::create),
                Route.get(BACKUP_VOLUMES, this::listVolumes),
                Route.get(BACKUP_VOLUMES + "/{volume}", this::getVolume),
                Route.delete(BACKUP_VOLUMES + "/{volume}", this::deleteVolume),
                Route.get(BACKUPS, this::list),
                Route.get(BACKUPS + "/{backup}", this::get),
                Route.delete(BACKUPS + "/{backup}", this::delete),
                Route.post(BACKUPS + "/{backup}/verify", this::verify),
                Route.post(BACKUPS + "/{backup}/restore", this::restore));
    }

    /** 202 with the job backing the volume up; the backup is listed (in progress) at once. */
    private Response create(Request request) throws IOException {
        VolumeName volume = VolumeName.of(request.param("volume"));
        if (volumes.view(volume).isEmpty()) {
            throw VolumesApi.notFound(volume);
        }
        CreateBackup body = request.bodyOr(CreateBackup.class, new CreateBackup(null, null, null, null, null, null));
        Compression compression = compression(body.compression());
        long blockSize = VolumeBackups.blockSize(body.blockSize());
        Jobs.Status job = snapshots.backup(volume, Optional.ofNullable(body.snapshot()).map(SnapshotName::of),
                Optional.ofNullable(body.name()), Boolean.TRUE.equals(body.full()), compression, blockSize, Fields.labels(body.labels()));
        Job created = Job.of(job);
        return Response.accepted(JobsApi.JOBS + "/" + created.id(), created);
    }

    private static Compression compression(String method) {
        if (method == null) {
            return Compression.LZ4;
        }
        // exact names only: Compression.fromMethod also takes what old cfgs wrote (any case, empty for gzip)
        return Arrays.stream(Compression.values()).filter(c -> c.method().equals(method)).findFirst()
                .orElseThrow(() -> new StrataException.InvalidArgument("compression '" + method + "' is not one of lz4, gzip, none, zstd"
                        + " (zstd is a Strata extension Longhorn cannot restore)"));
    }

    private Response listVolumes(Request request) throws IOException {
        return Response.ok(backups.backupVolumeEntries(target.get()).stream().map(BackupVolume::of).toList());
    }

    private Response getVolume(Request request) throws IOException {
        return Response.ok(BackupVolume.of(backupVolume(request.param("volume"))));
    }

    /** 204: every backup of the volume and their blocks are deleted. Refused (503) while one is made or restored from. */
    private Response deleteVolume(Request request) throws IOException {
        BackupService.BackupVolumeEntry volume = backupVolume(request.param("volume"));
        for (Jobs.Status job : jobs.all()) {
            JobRecord r = job.record();
            boolean uses = switch (r.kind()) {
                case BACKUP -> r.volume().equals(volume.name());
                case RESTORE -> r.snapshot().equals(volume.name());
                case CLONE -> false; // copies between volumes here, not from the target
            };
            if (uses && r.state() == JobRecord.State.RUNNING) {
                throw new StrataException.Unavailable("backup volume '" + volume.name() + "' is in use by job " + Job.id(r) + " ("
                        + job.percent() + "%): delete it once that job has ended");
            }
        }
        backups.deleteVolume(target.get(), volume.name());
        return Response.noContent();
    }

    private BackupService.BackupVolumeEntry backupVolume(String name) throws IOException {
        return backups.backupVolumeEntries(target.get()).stream().filter(v -> v.name().equals(name)).findFirst()
                .orElseThrow(() -> new StrataException.NotFound("there is no backup volume '" + name + "' in " + target.get())
                        .withHint(new Hint.ListBackupVolumes(target.get())));
    }

    /** The volume's backups, oldest first, then those made here that the target does not have yet. */
    private Response list(Request request) throws IOException {
        String volume = backupName(request.param("volume"), "backup volume");
        String targetUrl = target.get();
        Map<String, Jobs.Status> made = jobsOf(volume, targetUrl);
        List<Backup> out = new ArrayList<>();
        for (BackupEntry entry : backups.backups(targetUrl, volume)) {
            out.add(Backup.of(entry, targetUrl, made.remove(entry.config().name())));
        }
        made.values().stream().filter(j -> j.record().state() != JobRecord.State.COMPLETE).map(Backup::of).forEach(out::add);
        if (out.isEmpty()) {
            backupVolume(volume); // an empty list for a volume that is there, 404 for one that is not
        }
        return Response.ok(out);
    }

    private Response get(Request request) throws IOException {
        return Response.ok(existing(request));
    }

    /** 200 with the blocks no other backup needed, which were removed. Refused (503) while it is made or restored from. */
    private Response delete(Request request) throws IOException {
        Backup backup = existing(request);
        long removed = snapshots.delete(SnapshotHandle.Backup.of(backup.volume(), backup.name()));
        return Response.ok(new BackupDeleted(backup.name(), backup.volume(), removed));
    }

    /** Reads every block of the backup and checks it; 200 either way, with the problems found. */
    private Response verify(Request request) throws IOException {
        Backup backup = existing(request);
        if (!backup.state().equals("complete")) {
            throw new StrataException.FailedPrecondition("backup '" + backup.name() + "' is " + backup.state() + ": only a complete"
                    + " backup can be verified; " + (backup.state().equals("failed") ? "verify another backup, or make a new one"
                    : "verify it once it is complete"));
        }
        List<String> problems = backups.verify(backup.url());
        BackupEntry entry = backups.inspect(backup.url());
        long blocks = entry.config().blocks().stream().map(BackupConfig.BlockRef::checksum).distinct().count();
        return Response.ok(new Verification(backup.name(), backup.volume(), problems.isEmpty(), blocks, problems));
    }

    /** 202 with the job that restores the backup into a new volume; the volume is there at once, state {@code restoring}. */
    private Response restore(Request request) throws IOException {
        Backup backup = existing(request);
        if (backup.state().equals("broken")) {
            throw new StrataException.FailedPrecondition("backup '" + backup.name() + "' is broken (" + backup.error() + "): it cannot be"
                    + " restored; restore another backup, or DELETE this one");
        }
        Restore body = request.body(Restore.class);
        VolumeName name = VolumeName.of(Fields.required(body.volume(), "volume"));
        Long given = Fields.size(body.sizeBytes(), body.size());
        long size = given == null ? 0 : given;
        if (size < 0) {
            throw new StrataException.InvalidArgument("sizeBytes is " + size + ": give a positive size, or leave it out for the backup's");
        }
        if (volumes.view(name).isPresent()) {
            throw new StrataException.AlreadyExists("volume '" + name + "' already exists: restore into a new volume");
        }
        volumes.create(name, size, 0, new VolumeService.Source.OfSnapshot(SnapshotHandle.Backup.of(backup.volume(), backup.name())));
        Job job = Job.of(jobs.restore(name.value()).orElseThrow());
        return Response.accepted(JobsApi.JOBS + "/" + job.id(), job);
    }

    /** The backup in the path, from the target, or from its job while the target does not have it. */
    private Backup existing(Request request) throws IOException {
        String volume = backupName(request.param("volume"), "backup volume");
        String name = backupName(request.param("backup"), "backup");
        String targetUrl = target.get();
        Jobs.Status job = jobsOf(volume, targetUrl).get(name);
        try {
            return Backup.of(backups.inspect(BackupUrl.of(targetUrl, volume, name).encode()), targetUrl, job);
        } catch (StrataException.Corrupt unreadable) {
            return Backup.of(BackupEntry.broken(volume, name, unreadable.getMessage()), targetUrl, job); // shown, and deletable
        } catch (StrataException.NotFound e) {
            if (job != null && job.record().state() != JobRecord.State.COMPLETE) {
                return Backup.of(job);
            }
            throw new StrataException.NotFound("there is no backup '" + name + "' of '" + volume + "' in " + targetUrl)
                    .withHint(new Hint.ListBackups(targetUrl, volume));
        }
    }

    /** The backup jobs of a backup volume to a target, by backup name. */
    private Map<String, Jobs.Status> jobsOf(String volume, String targetUrl) throws IOException {
        Map<String, Jobs.Status> out = new LinkedHashMap<>();
        for (Jobs.Status job : jobs.all()) {
            JobRecord r = job.record();
            if (r.kind() == JobRecord.Kind.BACKUP && r.volume().equals(volume) && r.target().equals(targetUrl)) {
                out.put(r.backup(), job);
            }
        }
        return out;
    }

    private static String backupName(String name, String what) {
        if (!SnapshotHandle.BACKUP_NAME.matcher(name).matches()) {
            throw new StrataException.InvalidArgument("invalid " + what + " name '" + name + "': use letters, digits, '_', '.' and '-',"
                    + " starting with a letter or digit");
        }
        return name;
    }
}
