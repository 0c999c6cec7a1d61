package io.strata.control;

import io.strata.backupstore.format.Compression;
import io.strata.control.job.BackupOrder;
import io.strata.control.job.JobRecord;
import io.strata.control.job.Jobs;
import io.strata.domain.SnapshotHandle;
import io.strata.domain.SnapshotName;
import io.strata.domain.StrataException;
import io.strata.domain.VolumeName;
import io.strata.engine.SnapshotInfo;
import io.strata.engine.Volume;
import io.strata.engine.VolumeInfo;
import io.strata.engine.VolumeStore;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Snapshots as a cluster sees them: in-cluster snapshots of a volume ({@code ss://}, {@code snap://})
 * and backups of one in the backup target ({@code bak://}), created by name, found by handle, listed
 * and deleted. A snapshot name names one snapshot across all volumes.
 *
 * <p>In-cluster snapshots live inside their volume and are handled here; how backups are seen (through
 * the job making one, or the target) and deleted is {@link BackupSnapshots}' part.
 */
public final class SnapshotService {
    /** Label on an in-cluster snapshot: the handle scheme it was created with. */
    public static final String SCHEME_LABEL = "strata.io/handle-scheme";

    /** What a VolumeSnapshot is backed by. */
    public enum Kind {
        SS("ss"), SNAP("snap"), BAK("bak");

        final String scheme;

        Kind(String scheme) {
            this.scheme = scheme;
        }
    }

    /**
     * A snapshot or backup as CSI reports it.
     *
     * @param sizeBytes the source volume's size at the snapshot
     * @param error     why a backup failed, or why it is broken; empty unless either
     * @param broken    the backup's cfg cannot be read: it is listed so that it can be seen and deleted, never restored
     */
    public record SnapshotView(SnapshotHandle handle, String sourceVolume, long sizeBytes, Instant created, boolean ready,
                               Optional<String> error, int percent, boolean broken) {
        public SnapshotView(SnapshotHandle handle, String sourceVolume, long sizeBytes, Instant created, boolean ready,
                            Optional<String> error, int percent) {
            this(handle, sourceVolume, sizeBytes, created, ready, error, percent, false);
        }
    }

    private final VolumeStore volumes;
    private final Jobs jobs;
    private final KeyedLocks locks;
    private final Supplier<String> backupTarget;
    private final BackupSnapshots backupSnapshots;

    /**
     * @param locks shared with {@link VolumeService}: calls on one volume run one at a time
     */
    public SnapshotService(VolumeStore volumes, BackupService backups, Jobs jobs, KeyedLocks locks, String backupTarget) {
        this(volumes, backups, jobs, locks, () -> backupTarget);
    }

    /** As {@link #SnapshotService(VolumeStore, BackupService, Jobs, KeyedLocks, String)}, with a backup target each call reads once. */
    public SnapshotService(VolumeStore volumes, BackupService backups, Jobs jobs, KeyedLocks locks, Supplier<String> backupTarget) {
        this.volumes = volumes;
        this.locks = locks;
        this.backupSnapshots = new BackupSnapshots(volumes, backups, jobs, backupTarget);
        this.jobs = jobs;
        this.backupTarget = backupTarget;
    }

    /**
     * Creates snapshot {@code name} of {@code source}, or answers the one already there when it has the
     * same source and kind. A backup is cut at once and uploaded in the background: the view says
     * not ready until it is complete, and carries the error if it fails (or if a backup recorded
     * complete is no longer in the target). {@code labels} go on the snapshot, and on the backup.
     *
     * @throws StrataException.AlreadyExists when the name is taken by another volume's snapshot or by another kind
     * @throws StrataException.NotFound      when the volume does not exist
     * @throws StrataException.Unavailable   while the volume is being restored (retry)
     */
    public SnapshotView create(SnapshotName name, VolumeName source, Kind kind, boolean full, Map<String, String> labels)
            throws IOException {
        return create(name, source, kind, full, 0, labels);
    }

    /**
     * As {@link #create(SnapshotName, VolumeName, Kind, boolean, Map)}, with the block size of a backup
     * ({@code bak}) into a new backup volume: 2 or 16 MiB, or 0 for the backup volume's own.
     */
    public SnapshotView create(SnapshotName name, VolumeName source, Kind kind, boolean full, long blockSize, Map<String, String> labels)
            throws IOException {
        try (KeyedLocks.Held held = locks.lock(KeyedLocks.volume(source.value()), KeyedLocks.snapshot(name.value()))) {
            Optional<Jobs.Status> job = jobs.backup(name.value());
            if (job.isPresent()) {
                // answered from the job, so that a backup reports its end even once its volume is gone
                JobRecord r = job.get().record();
                if (!r.volume().equals(source.value())) {
                    throw new StrataException.AlreadyExists("snapshot '" + name + "' already exists for volume '" + r.volume()
                            + "', not '" + source + "': a snapshot name names one snapshot");
                }
                if (kind != Kind.BAK) {
                    throw new StrataException.AlreadyExists("snapshot '" + name + "' already exists as a backup of '" + source
                            + "', not as an in-cluster snapshot");
                }
                SnapshotView view = backupSnapshots.ofJob(job.get());
                if (r.state() != JobRecord.State.COMPLETE) {
                    return view;
                }
                // a backup recorded complete is reported ready only while it is really there
                SnapshotHandle.Backup handle = SnapshotHandle.Backup.of(r.volume(), r.backup());
                return backupSnapshots.inTarget(handle).orElseGet(() -> new SnapshotView(handle, r.volume(), view.sizeBytes(),
                        view.created(), false, Optional.of("backup " + r.backup() + " of volume " + r.volume() + " was made, but is no longer in the backup"
                                + " target"), 0));
            }
            Volume volume = volumes.open(source);
            jobs.requireRestored(source, "snapshotted");
            Optional<VolumeName> owner = owner(name);
            if (owner.isPresent() && !owner.get().equals(source)) {
                throw new StrataException.AlreadyExists("snapshot '" + name + "' already exists for volume '" + owner.get() + "', not '"
                        + source + "': a snapshot name names one snapshot");
            }
            if (kind == Kind.BAK) {
                if (owner.isPresent()) {
                    throw new StrataException.AlreadyExists("snapshot '" + name + "' already exists as an in-cluster snapshot of '"
                            + source + "', not as a backup");
                }
                return backupSnapshots.ofJob(jobs.startBackup(name, source, backupTarget.get(), full, blockSize, labels));
            }
            if (owner.isPresent()) {
                SnapshotInfo info = volume.snapshot(name);
                return view(source, info, info.labels().getOrDefault(SCHEME_LABEL, kind.scheme));
            }
            Map<String, String> snapshotLabels = new HashMap<>(labels);
            snapshotLabels.put(SCHEME_LABEL, kind.scheme);
            return view(source, volume.createSnapshot(name, snapshotLabels, true), kind.scheme);
        }
    }

    /**
     * Starts a backup of {@code volume} to the backup target: of one of its snapshots, or of a
     * snapshot taken now (named like the backup, and deleted with it). Runs under the volume's lock,
     * so the volume cannot go while the job is set up.
     *
     * @param backup the backup's name; empty for {@code backup-} and 16 hex digits
     * @throws StrataException.AlreadyExists when a backup of that name is made here already
     * @throws StrataException.NotFound      when the volume or the snapshot does not exist
     */
    public Jobs.Status backup(VolumeName volume, Optional<SnapshotName> snapshot, Optional<String> backup, boolean full,
                              Compression compression, Map<String, String> labels) throws IOException {
        return backup(volume, snapshot, backup, full, compression, 0, labels);
    }

    /** As {@link #backup(VolumeName, Optional, Optional, boolean, Compression, Map)}, with a block size: 2 or 16 MiB, or 0 for the backup volume's own. */
    public Jobs.Status backup(VolumeName volume, Optional<SnapshotName> snapshot, Optional<String> backup, boolean full,
                              Compression compression, long blockSize, Map<String, String> labels) throws IOException {
        try (KeyedLocks.Held held = locks.lock(KeyedLocks.volume(volume.value()))) {
            return jobs.startBackup(new BackupOrder(volume, snapshot, backupTarget.get(), backup, full, compression, labels, blockSize));
        }
    }

    /** The snapshot or backup a handle names, if it exists (a backup also when it was never made here). */
    public Optional<SnapshotView> find(SnapshotHandle handle) throws IOException {
        return switch (handle) {
            case SnapshotHandle.Snapshot s -> {
                if (!volumes.exists(s.volume())) {
                    yield Optional.empty();
                }
                yield inCluster(volumes.open(s.volume()), s.snapshot()).map(i -> view(s.volume(), i, s.scheme()));
            }
            case SnapshotHandle.Backup b -> backupSnapshots.find(b);
        };
    }

    /** A volume's snapshots and backups, oldest first; snapshots taken for backups show as their backups. */
    public List<SnapshotView> listByVolume(VolumeName volume) throws IOException {
        List<SnapshotView> out = new ArrayList<>(snapshotsOf(volume));
        out.addAll(backupSnapshots.of(volume.value(), jobs.all()));
        out.sort(Comparator.comparing(SnapshotView::created).thenComparing(v -> v.handle().value()));
        return out;
    }

    /**
     * The snapshots kept in a volume, oldest first, without its backups: this never reads the
     * backup target, so it answers while the target is slow or unreachable. None for a volume
     * that does not exist.
     */
    public List<SnapshotView> snapshotsOf(VolumeName volume) throws IOException {
        List<SnapshotView> out = new ArrayList<>();
        if (volumes.exists(volume)) {
            for (SnapshotInfo info : volumes.open(volume).snapshots()) {
                if (inCluster(info)) {
                    out.add(view(volume, info, info.labels().getOrDefault(SCHEME_LABEL, Kind.SS.scheme)));
                }
            }
        }
        out.sort(Comparator.comparing(SnapshotView::created).thenComparing(v -> v.handle().value()));
        return out;
    }

    /** Every snapshot of every volume and every backup in the target, oldest first. */
    public List<SnapshotView> listAll() throws IOException {
        List<SnapshotView> out = new ArrayList<>();
        List<String> backupVolumes = new ArrayList<>(backupSnapshots.backupVolumes());
        List<Jobs.Status> allJobs = jobs.all(); // job records are files: read once, not once per volume
        for (VolumeInfo info : volumes.list()) {
            out.addAll(snapshotsOf(info.name()));
            out.addAll(backupSnapshots.of(info.name().value(), allJobs));
            backupVolumes.remove(info.name().value());
        }
        for (String gone : backupVolumes) {
            out.addAll(backupSnapshots.of(gone, allJobs)); // backups of volumes deleted since
        }
        out.sort(Comparator.comparing(SnapshotView::created).thenComparing(v -> v.handle().value()));
        return out;
    }

    /**
     * Deletes the snapshot or backup a handle names; one already gone is fine. Deleting a backup
     * also removes the snapshot cut for it (not an in-cluster snapshot it was made from), and
     * collects blocks no other backup needs.
     *
     * @return the backup blocks that no backup uses any more and were removed; 0 for a snapshot
     * @throws StrataException.Unavailable while the backup is still being made, or restored from, or a clone copies the snapshot
     */
    public long delete(SnapshotHandle handle) throws IOException {
        try (KeyedLocks.Held held = locks.lock(KeyedLocks.volume(volumeOf(handle)))) {
            switch (handle) {
                case SnapshotHandle.Snapshot s -> {
                    List<Jobs.Status> clones = jobs.clonesRunningFrom(s.volume().value(), Optional.of(s.snapshot().value()));
                    if (!clones.isEmpty()) {
                        throw new StrataException.Unavailable("a clone into volume '" + clones.getFirst().record().volume() + "' is"
                                + " copying from snapshot " + s.snapshot() + " (" + clones.getFirst().percent() + "%); the snapshot can"
                                + " be deleted once that is done");
                    }
                    if (volumes.exists(s.volume())) {
                        Volume volume = volumes.open(s.volume());
                        if (inCluster(volume, s.snapshot()).isPresent()) {
                            volume.deleteSnapshot(s.snapshot());
                        }
                    }
                    return 0;
                }
                case SnapshotHandle.Backup b -> {
                    return backupSnapshots.delete(b, handle);
                }
            }
        }
    }

    /** The volume a snapshot is of, or a backup was made of. */
    private static String volumeOf(SnapshotHandle handle) {
        return switch (handle) {
            case SnapshotHandle.Snapshot s -> s.volume().value();
            case SnapshotHandle.Backup b -> b.volume();
        };
    }

    /** The volume holding a snapshot of that name, if any. */
    private Optional<VolumeName> owner(SnapshotName name) throws IOException {
        for (VolumeInfo info : volumes.list()) {
            if (volumes.open(info.name()).snapshots().stream().anyMatch(s -> s.name().equals(name))) {
                return Optional.of(info.name());
            }
        }
        return Optional.empty();
    }

    /** An in-cluster snapshot of that name. */
    private static Optional<SnapshotInfo> inCluster(Volume volume, SnapshotName name) {
        return volume.snapshots().stream().filter(i -> i.name().equals(name)).filter(SnapshotService::inCluster).findFirst();
    }

    /**
     * Whether a snapshot inside a volume is an in-cluster one: a user took it, it was not cut for a
     * backup or a clone. These are the snapshots that live and go with their volume.
     */
    public static boolean inCluster(SnapshotInfo info) {
        return info.userCreated() && !info.labels().containsKey(VolumeBackups.BACKUP_LABEL);
    }

    private static SnapshotView view(VolumeName volume, SnapshotInfo info, String scheme) {
        return new SnapshotView(new SnapshotHandle.Snapshot(scheme, volume, info.name()), volume.value(), info.size(),
                info.created(), true, Optional.empty(), 100);
    }

}
