package io.strata.control;

import io.strata.control.job.JobRecord;
import io.strata.control.job.Jobs;
import io.strata.control.state.StateStore;
import io.strata.domain.Hint;
import io.strata.domain.SnapshotHandle;
import io.strata.domain.SnapshotName;
import io.strata.domain.StrataException;
import io.strata.domain.VolumeName;
import io.strata.engine.Volume;
import io.strata.engine.VolumeInfo;
import io.strata.engine.VolumeStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Volumes as a cluster sees them: provisioned by name (idempotently, empty or from a snapshot, a
 * backup or another volume), expanded, attached to one node at a time, deleted. What the engine
 * does not keep (where a volume came from, where it is attached) is kept in the state store.
 *
 * <p>Provisioning ({@link VolumeCreation}) and deletion ({@link VolumeDeletion}), each with the checks
 * that make it safe to retry, have classes of their own; views, expansion, revert and attachments are
 * here.
 */
public final class VolumeService {
    /** Size of a volume whose request names none. */
    public static final long DEFAULT_SIZE = 1L << 30;
    /** The largest volume Strata makes. */
    public static final long MAX_SIZE = VolumeStore.MAX_SIZE;
    private static final long ALIGN = 4096;

    /** {@code size} rounded up to whole 4 KiB blocks, as volumes are sized. */
    static long align(long size) {
        return (size + ALIGN - 1) / ALIGN * ALIGN;
    }

    /** Where a new volume's content comes from. */
    public sealed interface Source {
        /** The handle or volume name, as recorded and compared for idempotency. */
        String describe();

        /** The source {@link #describe()} wrote. */
        static Source parse(String described) {
            if (described.isEmpty()) {
                return new Empty();
            }
            if (described.startsWith(OfVolume.PREFIX)) {
                return new OfVolume(VolumeName.of(described.substring(OfVolume.PREFIX.length())));
            }
            return new OfSnapshot(SnapshotHandle.parse(described));
        }

        record Empty() implements Source {
            @Override
            public String describe() {
                return "";
            }
        }

        /** A clone of a volume's current content. */
        record OfVolume(VolumeName volume) implements Source {
            private static final String PREFIX = "volume:";

            @Override
            public String describe() {
                return PREFIX + volume;
            }
        }

        /** A snapshot ({@code ss://}, {@code snap://}) or a backup ({@code bak://}, {@code bs://}). */
        record OfSnapshot(SnapshotHandle handle) implements Source {
            @Override
            public String describe() {
                return handle.value();
            }
        }
    }

    /** What is recorded of a provisioned volume. */
    public record VolumeRecord(String name, String source, Instant created) {}

    /** Where a volume is attached. */
    public record Attachment(String volume, String node, boolean readOnly, Instant since) {}

    /**
     * A volume and its state.
     *
     * @param source  empty for an empty volume, else the handle or {@code volume:NAME} it came from
     * @param restore the job filling it: its restore, when it was restored from a backup, or its clone's
     *                copy, when it was cloned from a volume or a snapshot
     * @param snapshots how many in-cluster snapshots it keeps: those a user took and lists, not the
     *                  ones cut for backups or clones ({@link VolumeInfo#snapshots} counts those too)
     */
    public record VolumeView(VolumeInfo info, String source, Optional<Jobs.Status> restore, Optional<Attachment> attachment,
                             int snapshots) {
        /** Readable and writable: not waiting for a restore or clone, and none failed. */
        public boolean ready() {
            return restore.map(r -> r.record().state() == JobRecord.State.COMPLETE).orElse(true);
        }
    }

    private final VolumeStore volumes;
    private final Jobs jobs;
    private final KeyedLocks locks;
    private final StateStore.Table<VolumeRecord> records;
    private final StateStore.Table<Attachment> attachments;
    private final Path dataDir;
    private final Clock clock;
    private final VolumeCreation creation;
    private final VolumeDeletion deletion;

    /**
     * @param locks        shared with {@link SnapshotService}: calls on one volume run one at a time
     * @param backupTarget where {@code bak://} handles point: the target backups are made to
     */
    public VolumeService(VolumeStore volumes, Jobs jobs, KeyedLocks locks, StateStore state, Path dataDir, String backupTarget,
                         Clock clock) throws IOException {
        this(volumes, jobs, locks, state, dataDir, () -> backupTarget, clock);
    }

    /**
     * As {@link #VolumeService(VolumeStore, Jobs, KeyedLocks, StateStore, Path, String, Clock)}, with a backup
     * target that may change while the process runs (a {@link BackupTargetSetting}): each call reads it once.
     */
    public VolumeService(VolumeStore volumes, Jobs jobs, KeyedLocks locks, StateStore state, Path dataDir,
                         Supplier<String> backupTarget, Clock clock) throws IOException {
        this.volumes = volumes;
        this.locks = locks;
        this.jobs = jobs;
        this.records = state.table("volumes", VolumeRecord.class);
        this.attachments = state.table("attachments", Attachment.class);
        this.dataDir = dataDir;
        this.clock = clock;
        this.creation = new VolumeCreation(this, volumes, jobs, locks, records, backupTarget, clock);
        this.deletion = new VolumeDeletion(volumes, jobs, locks, records, attachments);
    }

    /**
     * Provisions volume {@code name}: its size is {@code required} rounded up to 4 KiB (the source's
     * size, or {@link #DEFAULT_SIZE}, when 0), never more than {@code limit} (0: no limit). Asked again
     * with a compatible size and the same source, it answers the volume already there.
     *
     * @throws StrataException.AlreadyExists when the volume exists with another source or an incompatible size
     * @throws StrataException.OutOfRange    when the size is below the source's or above {@code limit}
     * @throws StrataException.NotFound      when the source does not exist
     */
    public VolumeView create(VolumeName name, long required, long limit, Source source) throws IOException {
        return creation.create(name, required, limit, source, false);
    }

    /**
     * As {@link #create}, for callers whose create is not idempotent (REST's {@code POST}): a name in
     * use is refused whatever it holds. The check runs under the volume's lock, so of concurrent
     * creates of one name exactly one succeeds.
     *
     * @throws StrataException.AlreadyExists when the volume exists
     */
    public VolumeView createNew(VolumeName name, long required, long limit, Source source) throws IOException {
        return creation.create(name, required, limit, source, true);
    }

    /**
     * Deletes a volume and what is recorded of it; an unknown volume is fine. A volume that cannot go
     * yet is left exactly as it was.
     *
     * @throws StrataException.FailedPrecondition while it is attached, or has in-cluster snapshots:
     *                                            they live inside the volume and would go with it
     * @throws StrataException.Unavailable        while a restore or clone into it, a clone from it or a backup of it runs (retry)
     */
    public void delete(VolumeName name) throws IOException {
        delete(name, false);
    }

    /**
     * As {@link #delete(VolumeName)}; with {@code withSnapshots}, the volume's in-cluster snapshots
     * go with it. Every precondition is checked before anything is deleted, and all of it runs under
     * the volume's lock: a refusal leaves the snapshots, and no snapshot taken meanwhile can make the
     * deletion fail halfway.
     */
    public void delete(VolumeName name, boolean withSnapshots) throws IOException {
        deletion.delete(name, withSnapshots);
    }

    public Optional<VolumeView> view(VolumeName name) throws IOException {
        if (!volumes.exists(name)) {
            return Optional.empty();
        }
        return Optional.of(new VolumeView(volumes.info(name), records.get(name.value()).map(VolumeRecord::source).orElse(""),
                jobs.filling(name.value()),
                attachments.get(name.value()), inClusterSnapshots(volumes.open(name))));
    }

    /** How many snapshots of {@code volume} are in-cluster ones: what snapshot listings show, and so what counts show. */
    public static int inClusterSnapshots(Volume volume) {
        return (int) volume.snapshots().stream().filter(SnapshotService::inCluster).count();
    }

    /** Every volume, by name. */
    public List<VolumeView> list() throws IOException {
        List<VolumeView> out = new ArrayList<>();
        for (VolumeInfo info : volumes.list()) {
            view(info.name()).ifPresent(out::add);
        }
        return out;
    }

    /** Grows a volume to at least {@code required} bytes (4 KiB aligned); never shrinks. @return the new size */
    public long expand(VolumeName name, long required, long limit) throws IOException {
        try (KeyedLocks.Held held = locks.lock(KeyedLocks.volume(name.value()))) {
            Volume volume = volumes.open(name);
            long size = Math.max(volume.size(), align(required));
            if (limit > 0 && size > limit) {
                throw new StrataException.OutOfRange("volume '" + name + "' is " + volume.size() + " bytes; it cannot shrink to fit the limit " + limit);
            }
            if (size > volume.size()) {
                volume.expand(size);
            }
            return volume.size();
        }
    }

    /**
     * Makes a volume's content that of one of its in-cluster snapshots again; what was written since
     * is lost. Later snapshots stay.
     *
     * @throws StrataException.NotFound           when the volume, or such a snapshot of it, does not exist
     * @throws StrataException.FailedPrecondition while it is attached: its content would change under the workload
     * @throws StrataException.Unavailable        while a restore fills it (retry)
     */
    public VolumeView revert(VolumeName name, SnapshotName snapshot) throws IOException {
        try (KeyedLocks.Held held = locks.lock(KeyedLocks.volume(name.value()))) {
            if (!volumes.exists(name)) {
                throw new StrataException.NotFound("volume '" + name + "' does not exist").withHint(new Hint.ListVolumes());
            }
            Optional<Attachment> attached = attachments.get(name.value());
            if (attached.isPresent()) {
                throw new StrataException.FailedPrecondition("volume '" + name + "' is attached to node '" + attached.get().node()
                        + "': detach it (stop its workload) before reverting it, or its data would change under the workload");
            }
            jobs.requireRestored(name, "reverted");
            Volume volume = volumes.open(name);
            boolean inCluster = volume.snapshots().stream().anyMatch(s -> s.name().equals(snapshot) && SnapshotService.inCluster(s));
            if (!inCluster) {
                throw new StrataException.NotFound("volume '" + name + "' has no snapshot '" + snapshot + "' to revert to: list its"
                        + " snapshots to pick one");
            }
            volume.revert(snapshot);
            return view(name).orElseThrow();
        }
    }

    /**
     * Attaches a volume to a node. Attaching it again to the same node with the same mode is fine.
     *
     * @throws StrataException.Unavailable        while it is being restored or cloned (retry)
     * @throws StrataException.FailedPrecondition when its restore or clone failed, or it is attached to another node
     * @throws StrataException.AlreadyExists      when it is attached to this node in the other mode
     */
    public Attachment publish(VolumeName name, String node, boolean readOnly) throws IOException {
        try (KeyedLocks.Held held = locks.lock(KeyedLocks.volume(name.value()))) {
            VolumeView view = view(name).orElseThrow(() -> new StrataException.NotFound("volume '" + name + "' does not exist")
                    .withHint(new Hint.ListVolumes()));
            jobs.requireRestored(name, "attached");
            Optional<Attachment> current = view.attachment();
            if (current.isPresent()) {
                if (current.get().node().equals(node)) {
                    if (current.get().readOnly() == readOnly) {
                        return current.get();
                    }
                    throw new StrataException.AlreadyExists("volume '" + name + "' is already attached to node '" + node + "' "
                            + (current.get().readOnly() ? "read-only" : "read-write") + "; detach it before attaching it "
                            + (readOnly ? "read-only" : "read-write"));
                }
                throw new StrataException.FailedPrecondition("volume '" + name + "' is attached to node '" + current.get().node()
                        + "'; it attaches to one node at a time: detach it there first");
            }
            Attachment attachment = new Attachment(name.value(), node, readOnly, clock.instant());
            attachments.put(name.value(), attachment);
            return attachment;
        }
    }

    /** Detaches a volume from a node; a volume not attached there (or gone) is fine. */
    public void unpublish(VolumeName name, String node) throws IOException {
        try (KeyedLocks.Held held = locks.lock(KeyedLocks.volume(name.value()))) {
            Optional<Attachment> current = attachments.get(name.value());
            if (current.isPresent() && (node.isEmpty() || current.get().node().equals(node))) {
                attachments.delete(name.value());
            }
        }
    }

    /** The largest volume that may be made here: {@link #MAX_SIZE}, or less where the data directory's file system is smaller. */
    public long largestVolume() throws IOException {
        return volumes.largestVolume();
    }

    /** Bytes free for new volumes on the data directory's file system. */
    public long capacity() throws IOException {
        return Files.getFileStore(dataDir).getUsableSpace();
    }
}
