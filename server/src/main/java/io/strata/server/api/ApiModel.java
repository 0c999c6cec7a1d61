package io.strata.server.api;

import io.strata.backupstore.format.BackupConfig;
import io.strata.backupstore.format.BackupUrl;
import io.strata.backupstore.format.Compression;
import io.strata.backupstore.format.VolumeConfig;
import io.strata.control.BackupService;
import io.strata.control.BackupService.BackupEntry;
import io.strata.control.BackupTargetSetting;
import io.strata.control.VolumeService.VolumeView;
import io.strata.control.job.JobRecord;
import io.strata.control.job.Jobs;
import io.strata.domain.Redaction;
import io.strata.engine.Extent;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The API's JSON shapes: request bodies and representations. Field names are an interface clients
 * rely on (and {@code openapi.json} describes): add fields, never rename them. Sizes are bytes,
 * times ISO-8601 in UTC, absent values {@code null}. Request fields that are boxed are optional.
 */
public final class ApiModel {
    private ApiModel() {}

    // ---- request bodies

    /**
     * @param size   the size as a person types it ({@code 10Gi}, {@code 1.5Gi}), by {@code ByteSize}'s rules; instead of sizeBytes
     * @param source empty or absent: an empty volume; {@code volume:NAME}: a clone; a handle {@code ss://}, {@code bak://}: from it
     */
    public record CreateVolume(String name, Long sizeBytes, String size, String source) {}

    /** @param size the size as a person types it, instead of sizeBytes */
    public record Expand(Long sizeBytes, String size) {}

    /** @param type {@code snapshot} (ss, kept in the volume) or {@code backup} (bak, a snapshot backed up to the target) */
    public record CreateSnapshot(String name, String type, Map<String, String> labels, Boolean full) {}

    /** @param snapshot an existing snapshot to back up; absent: a snapshot is taken now, and goes with the backup */
    /** @param blockSize {@code 2Mi} or {@code 16Mi} for a new backup volume; null for the backup volume's own */
    public record CreateBackup(String snapshot, String name, Boolean full, String compression, Map<String, String> labels,
                               String blockSize) {}

    /** @param size the size as a person types it, instead of sizeBytes */
    public record Restore(String volume, Long sizeBytes, String size) {}

    /** @param create whether to create a {@code file://} target's directory when it does not exist (default: refuse it) */
    public record SetBackupTarget(String url, Boolean create) {}

    // ---- representations

    /**
     * @param state   {@code ready}, {@code restoring}, {@code restore-failed}, {@code cloning} or {@code clone-failed}
     * @param restore the restore that fills it, when it was restored from a backup
     * @param cloning the copy that fills it, when it was cloned from a volume or a snapshot
     */
    public record Volume(String name, long sizeBytes, Instant created, int snapshots, int layers, long allocatedBytes, String source,
                         String state, RestoreState restore, CloneState cloning, Attachment attachment) {
        static Volume of(VolumeView view) {
            Optional<Jobs.Status> filling = view.restore();
            boolean cloned = filling.map(f -> f.record().kind() == JobRecord.Kind.CLONE).orElse(false);
            String doing = cloned ? "clon" : "restor";
            String state = filling.isEmpty() ? "ready" : switch (filling.get().record().state()) {
                case RUNNING -> doing + "ing";
                case ERROR -> doing + "e-failed";
                case COMPLETE -> "ready";
            };
            return new Volume(view.info().name().value(), view.info().size(), view.info().created(), view.snapshots(),
                    view.info().layers(), view.info().allocatedBytes(), view.source().isEmpty() ? null : view.source(), state,
                    cloned ? null : filling.map(RestoreState::of).orElse(null),
                    cloned ? CloneState.of(filling.get(), view.source()) : null,
                    view.attachment().map(Attachment::of).orElse(null));
        }
    }

    /** The copy that fills a cloned volume: its job, what it copies ({@code volume:NAME} or a snapshot handle), and how far it is. */
    public record CloneState(String job, String source, String state, int percent, String error) {
        static CloneState of(Jobs.Status status, String source) {
            JobRecord r = status.record();
            return new CloneState(Job.id(r), source, Job.state(r), status.percent(), r.error());
        }
    }

    /** The restore that fills a volume: its job, the backup's handle, and how far it is. */
    public record RestoreState(String job, String backup, String state, int percent, String error) {
        static RestoreState of(Jobs.Status status) {
            JobRecord r = status.record();
            return new RestoreState(Job.id(r), "bak://" + r.snapshot() + "/" + r.backup(), Job.state(r), status.percent(), r.error());
        }
    }

    public record Attachment(String node, boolean readOnly, Instant since) {
        static Attachment of(io.strata.control.VolumeService.Attachment a) {
            return new Attachment(a.node(), a.readOnly(), a.since());
        }
    }

    /** Where a volume is attached; {@code attached} false and the rest null when it is not. */
    public record AttachmentState(boolean attached, String node, Boolean readOnly, Instant since) {}

    /**
     * A snapshot kept in a volume ({@code type} snapshot) or a backup of one ({@code type} backup).
     *
     * @param parent the snapshot it was taken after, for snapshots; null for backups and the first snapshot
     * @param labels the user's labels (Strata's own bookkeeping labels are left out); null for backups
     * @param job    for a backup made here, the job that makes it
     * @param broken a backup whose cfg cannot be read ({@code error} says why): it can be deleted, not restored
     */
    public record Snapshot(String handle, String type, String volume, String name, long sizeBytes, Instant created, boolean ready,
                           int percent, String error, String parent, Map<String, String> labels, String job, boolean broken) {}

    /** The byte ranges that changed up to snapshot {@code to}, from snapshot {@code from} or from the beginning. */
    public record Changes(String volume, String from, String to, long changedBytes, List<Range> ranges) {
        static Changes of(String volume, String from, String to, List<Extent> extents) {
            return new Changes(volume, from, to, extents.stream().mapToLong(Extent::length).sum(),
                    extents.stream().map(e -> new Range(e.offset(), e.length())).toList());
        }
    }

    public record Range(long offset, long length) {}

    /**
     * A volume's backups in the backup target (it may outlive the volume). {@code state}: {@code ok}, or
     * {@code broken} when its volume.cfg cannot be read ({@code error} says why; the fields it holds are then null or 0).
     */
    public record BackupVolume(String name, long sizeBytes, String created, String lastBackup, String lastBackupAt, String compression,
                               Map<String, String> labels, String state, String error) {
        static BackupVolume of(VolumeConfig v) {
            return new BackupVolume(v.name(), v.size(), emptyToNull(v.createdTime()), emptyToNull(v.lastBackupName()),
                    emptyToNull(v.lastBackupAt()), v.compression().method(), new TreeMap<>(v.labels()), "ok", null);
        }

        static BackupVolume of(BackupService.BackupVolumeEntry entry) {
            return entry.config().map(BackupVolume::of).orElseGet(() -> new BackupVolume(entry.name(), 0, null, null, null, null,
                    Map.of(), "broken", entry.broken().orElse(null)));
        }
    }

    /**
     * One backup. {@code state}: {@code in-progress} (with {@code progress} when made here), {@code complete},
     * {@code failed} (its job failed, with {@code error}, or a process abandoned it), or {@code broken} (its cfg
     * cannot be read, {@code error} says why; only its name is known, and it can be deleted, not restored).
     */
    public record Backup(String name, String volume, String state, String snapshot, String snapshotCreated, String completed,
                         boolean incremental, long volumeSizeBytes, long dataBytes, int blocks, long blockSize, String compression,
                         long newlyUploadedBytes, long reUploadedBytes, Map<String, String> labels, String url, String handle,
                         String job, Progress progress, String error) {

        /** A backup as the target has it, joined with the job that makes it here, if any. */
        static Backup of(BackupEntry entry, String targetUrl, Jobs.Status job) {
            BackupConfig c = entry.config();
            if (entry.isBroken()) {
                return new Backup(c.name(), c.volumeName(), "broken", null, null, null, false, 0, 0, 0, 0, null, 0, 0, Map.of(),
                        BackupUrl.of(targetUrl, c.volumeName(), c.name()).forLonghorn(), "bak://" + c.volumeName() + "/" + c.name(),
                        job == null ? null : Job.id(job.record()), null, entry.broken().get());
            }
            String state = !c.inProgress() ? "complete" : entry.abandoned() ? "failed" : "in-progress";
            String error = entry.abandoned() && c.inProgress() ? "backup " + c.name() + " was abandoned in progress by the process"
                    + " making it; delete it and back up again" : null;
            if (job != null && c.inProgress()) {
                state = Job.state(job.record()).equals("error") ? "failed" : "in-progress";
                error = job.record().error() != null ? job.record().error() : error;
            }
            return new Backup(c.name(), c.volumeName(), state, emptyToNull(c.snapshotName()), emptyToNull(c.snapshotCreatedAt()),
                    emptyToNull(c.createdTime()), c.incremental(), entry.volumeSize(), c.size(), c.blocks().size(), c.blockSize(),
                    Compression.fromMethod(c.compressionMethod()).method(), c.newlyUploadedDataSize(), c.reUploadedDataSize(),
                    new TreeMap<>(c.labels()), BackupUrl.of(targetUrl, c.volumeName(), c.name()).forLonghorn(),
                    "bak://" + c.volumeName() + "/" + c.name(), job == null ? null : Job.id(job.record()),
                    job == null ? null : Progress.of(job), error);
        }

        /** A backup made here whose job has not written it to the target yet, or failed before it did. */
        static Backup of(Jobs.Status job) {
            JobRecord r = job.record();
            String state = Job.state(r).equals("error") ? "failed" : "in-progress";
            return new Backup(r.backup(), r.volume(), state, r.snapshot(), null, null, !"full".equals(r.mode()), 0, 0, 0, 0,
                    r.compression() == null ? Compression.LZ4.method() : r.compression(), 0, 0,
                    r.labels() == null ? Map.of() : new TreeMap<>(r.labels()), BackupUrl.of(r.target(), r.volume(), r.backup()).forLonghorn(),
                    "bak://" + r.volume() + "/" + r.backup(), Job.id(r), Progress.of(job), r.error());
        }
    }

    /** @param problems one line per missing or damaged block; empty when {@code whole} */
    public record Verification(String backup, String volume, boolean whole, long blocks, List<String> problems) {}

    public record BackupDeleted(String backup, String volume, long removedBlocks) {}

    /**
     * A backup, restore or clone job. {@code state}: {@code running}, {@code complete} or {@code error}.
     *
     * @param volume       the volume backed up, or restored or cloned into
     * @param backupVolume the backup volume in the target the backup goes to, or the restore reads from; null for clones
     * @param snapshot     the snapshot a backup or clone reads; null for restores
     * @param source       what a clone copies: the volume it copies from; null for backups and restores
     */
    public record Job(String id, String kind, String state, String volume, String backupVolume, String backup, String snapshot,
                      String target, String mode, String compression, Instant created, Instant finished, String error,
                      Progress progress, String source) {
        /** A job as the API shows it; also how the CLI shows job records it reads without a server. */
        public static Job of(Jobs.Status status) {
            JobRecord r = status.record();
            if (r.kind() == JobRecord.Kind.CLONE) {
                return new Job(id(r), kind(r), state(r), r.volume(), null, null, r.snapshot(), null, null, null, r.created(),
                        r.finished(), r.error(), Progress.of(status), r.target());
            }
            boolean backup = r.kind() == JobRecord.Kind.BACKUP;
            return new Job(id(r), kind(r), state(r), r.volume(), backup ? r.volume() : r.snapshot(), r.backup(),
                    backup ? r.snapshot() : null, r.target(), backup ? r.mode() : null,
                    backup ? (r.compression() == null ? Compression.LZ4.method() : r.compression()) : null, r.created(), r.finished(),
                    r.error(), Progress.of(status), null);
        }

        /** {@code backup@ID}, {@code restore@VOLUME} or {@code clone@VOLUME}: a job's id in paths. */
        static String id(JobRecord r) {
            return kind(r) + "@" + r.id();
        }

        static String kind(JobRecord r) {
            return kind(r.kind());
        }

        /** {@code backup}, {@code restore} or {@code clone}: the part of a job's id before the {@code @}. */
        static String kind(JobRecord.Kind kind) {
            return kind.name().toLowerCase(Locale.ROOT);
        }

        static String state(JobRecord r) {
            return r.state().name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * How far a job got: bytes of the source read (of a backup's snapshot, of a restore's backup) out
     * of those to read; for backups also what was uploaded. Live while the job runs here.
     */
    public record Progress(int percent, long bytesDone, long bytesTotal, long bytesUploaded, long blocksNew, long blocksReused) {
        static Progress of(Jobs.Status status) {
            JobRecord r = status.record();
            if (r.state() == JobRecord.State.RUNNING && status.live().isPresent()) {
                var p = status.live().get();
                return new Progress(status.percent(), p.bytesScanned(), p.bytesToScan(), p.bytesUploaded(), p.blocksNew(), p.blocksReused());
            }
            return new Progress(status.percent(), r.bytesDone(), r.bytesTotal(), r.bytesUploaded(), r.blocksNew(), r.blocksReused());
        }
    }

    /** @param source {@code saved} (through this API) or {@code configured} (flag, environment or default) */
    public record BackupTarget(String url, String source, Instant savedAt, String configured) {
        /** A valid target URL holds no credentials; a configured one that is not valid may, and is shown without them. */
        static BackupTarget of(BackupTargetSetting.Current c) {
            return new BackupTarget(Redaction.url(c.url()), c.saved() ? "saved" : "configured", c.savedAt().orElse(null),
                    Redaction.url(c.configured()));
        }
    }

    /** The server: what it is, where its data is, where it listens. */
    public record Info(String version, String nodeId, String driverName, String dataDir, String backupTarget, long freeBytes) {}

    static String emptyToNull(String value) {
        return value == null || value.isEmpty() ? null : value;
    }
}
