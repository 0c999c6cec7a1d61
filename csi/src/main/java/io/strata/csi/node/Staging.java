package io.strata.csi.node;

import io.strata.domain.StrataException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Staging: a volume's growable NBD export attached as a block device (nbdfuse's file or a kernel
 * NBD device, under a loop device limited to the volume's size), with its filesystem mounted at the
 * staging path; and the undoing of it, from whatever state a crash left.
 *
 * <p>Each step is written down before it is taken ({@link NodeRecords.Staged}) and undone in reverse
 * when a later one fails, so that a failed call leaves no mount, loop device or FUSE server behind.
 * {@link #teardown} finds the pieces from the kernel's own lists as well as from the record, so a
 * step taken just before a crash, and never written down, is found too.
 */
final class Staging {

    static final String FUSE = "fuse";
    static final String KERNEL = "kernel";
    /** The NBD server's growable export of a volume, as the nbd module names it ({@code EngineExports.GROWABLE_PREFIX}). */
    static final String GROWABLE_PREFIX = "growable:";

    private static final Logger LOG = LoggerFactory.getLogger(Staging.class);

    private final NodeConfig config;
    private final NodeRecords records;
    private final LoopDevices loops;
    private final Filesystems filesystems;
    private final NbdFuse fuse;
    private final KernelNbd kernel;
    private final Health health;
    private final Clock clock;

    Staging(NodeConfig config, NodeRecords records, LoopDevices loops, Filesystems filesystems, NbdFuse fuse, KernelNbd kernel,
            Health health, Clock clock) {
        this.config = config;
        this.records = records;
        this.loops = loops;
        this.filesystems = filesystems;
        this.fuse = fuse;
        this.kernel = kernel;
        this.health = health;
        this.clock = clock;
    }

    /** What the loop device of a staging is bound to: nbdfuse's file, or the kernel NBD device. */
    static Path backing(NodeRecords.Staged staged) {
        return staged.attach().equals(FUSE) ? NbdFuse.file(Path.of(staged.workDir())) : Path.of(staged.nbdDevice());
    }

    /**
     * Stages a volume. Staged already at the same path in the same way, and working: nothing to do. A
     * staging that a crash interrupted, or one that no longer works and is not published, is undone
     * and done again.
     */
    void stage(StageSpec spec) throws IOException {
        Optional<NodeRecords.Staged> existing = records.staged.get(spec.volume());
        if (existing.isPresent() && existing.get().staged()) {
            NodeRecords.Staged staged = existing.get();
            requireSame(staged, spec);
            Optional<String> problem = health.problem(staged, true);
            if (problem.isEmpty()) {
                return;
            }
            List<String> published = mountedPublications(spec.volume());
            if (!published.isEmpty()) {
                throw new StrataException.FailedPrecondition("volume '" + spec.volume() + "' is staged but " + problem.get()
                        + ", and it is still published at " + published + ": unpublish it, unstage it and stage it again");
            }
            LOG.warn("volume {} is staged at {} but {}: staging it again", spec.volume(), spec.stagingPath(), problem.get());
        }
        if (existing.isPresent()) {
            teardown(existing.get());
        } else if (records.staged.all().size() >= config.maxVolumes()) {
            throw new StrataException.ResourceExhausted("this node already has " + config.maxVolumes() + " volumes staged, its"
                    + " maximum: unstage one first");
        }
        String attach = config.attach().resolve() == NodeConfig.AttachMode.KERNEL ? KERNEL : FUSE;
        NodeRecords.Staged record = new NodeRecords.Staged(spec.volume(), spec.stagingPath().toString(), spec.block(),
                spec.block() ? "" : spec.fsType(), spec.mountFlags(), spec.readOnly(), attach,
                config.workDir().resolve(spec.volume()).toString(), 0, "", "", spec.size(), false, clock.instant());
        records.staged.put(spec.volume(), record);
        try {
            record = attach(record, GROWABLE_PREFIX + spec.export());
            if (!spec.block()) {
                record = mountFilesystem(record, spec);
            }
            records.staged.put(spec.volume(), record.done());
            LOG.info("volume {} is staged at {} on {} ({})", spec.volume(), spec.stagingPath(), record.loopDevice(),
                    spec.block() ? "block" : record.fsType());
        } catch (IOException | RuntimeException e) {
            try {
                teardown(records.staged.get(spec.volume()).orElse(record));
            } catch (IOException | RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    private void requireSame(NodeRecords.Staged staged, StageSpec spec) {
        if (!staged.stagingPath().equals(spec.stagingPath().toString())) {
            throw new StrataException.FailedPrecondition("volume '" + spec.volume() + "' is staged at another path, "
                    + staged.stagingPath() + ": a volume is staged once per node; unstage it there first");
        }
        boolean same = staged.block() == spec.block() && staged.readOnly() == spec.readOnly()
                && staged.mountFlags().equals(spec.mountFlags())
                && (spec.block() || spec.fsType().isEmpty() || spec.fsType().equals(staged.fsType()));
        if (!same) {
            throw new StrataException.AlreadyExists("volume '" + spec.volume() + "' is already staged at this path as "
                    + describe(staged.block(), staged.fsType(), staged.mountFlags(), staged.readOnly()) + ", not as "
                    + describe(spec.block(), spec.fsType(), spec.mountFlags(), spec.readOnly()) + ": unstage it first");
        }
    }

    private static String describe(boolean block, String fsType, List<String> flags, boolean readOnly) {
        String what = block ? "a block device" : (fsType.isEmpty() ? "a filesystem" : "an " + fsType + " filesystem")
                + (flags.isEmpty() ? "" : " with mount flags " + flags);
        return what + (readOnly ? ", read-only" : ", read-write");
    }

    /** Connects the export and binds a loop device to it, writing each down. */
    private NodeRecords.Staged attach(NodeRecords.Staged record, String export) throws IOException {
        Path workDir = Path.of(record.workDir());
        Files.createDirectories(workDir);
        NodeRecords.Staged attached;
        if (record.attach().equals(FUSE)) {
            attached = record.withFusePid(fuse.attach(export, workDir, record.readOnly()));
        } else {
            NodeRecords.Staged[] chosen = {record};
            Path device = kernel.attach(export, record.readOnly(), d -> {
                chosen[0] = record.withNbdDevice(d.toString());
                putUnchecked(chosen[0]);
            });
            attached = chosen[0].withNbdDevice(device.toString());
        }
        records.staged.put(record.volume(), attached);
        Path loop = loops.attach(backing(attached), attached.size(), attached.readOnly());
        NodeRecords.Staged bound = attached.withLoopDevice(loop.toString());
        records.staged.put(record.volume(), bound);
        return bound;
    }

    private void putUnchecked(NodeRecords.Staged record) {
        try {
            records.staged.put(record.volume(), record);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * Mounts the volume's filesystem at the staging path, making one first on a blank volume (or over
     * the remains of a format of ours that did not finish). Never formats over anything else.
     */
    private NodeRecords.Staged mountFilesystem(NodeRecords.Staged record, StageSpec spec) throws IOException {
        Path loop = Path.of(record.loopDevice());
        String volume = spec.volume();
        boolean interrupted = records.formatting.get(volume).isPresent();
        String type;
        Filesystems.Content content = filesystems.probe(loop);
        if (interrupted || (content instanceof Filesystems.Content.Nothing && spec.blank())) {
            if (spec.readOnly()) {
                throw new StrataException.FailedPrecondition("volume '" + volume + "' has no filesystem yet and is staged"
                        + " read-only: stage it read-write once, so that one can be made");
            }
            type = spec.fsType().isEmpty() ? "ext4" : spec.fsType();
            records.formatting.put(volume, new NodeRecords.Formatting(volume, type, clock.instant()));
            filesystems.format(loop, type, interrupted);
            records.formatting.delete(volume);
            LOG.info("made an {} filesystem on volume {}", type, volume);
        } else {
            type = switch (content) {
                case Filesystems.Content.Filesystem found when found.type().equals("ext4") || found.type().equals("xfs") -> {
                    if (!spec.fsType().isEmpty() && !spec.fsType().equals(found.type())) {
                        throw new StrataException.FailedPrecondition("volume '" + volume + "' holds an " + found.type()
                                + " filesystem, not " + spec.fsType() + ": ask for " + found.type() + " (or no fs_type)");
                    }
                    yield found.type();
                }
                case Filesystems.Content.Filesystem found -> throw new StrataException.FailedPrecondition("volume '" + volume
                        + "' holds a " + found.type() + " filesystem: Strata mounts ext4 and xfs; use the volume as a block volume");
                case Filesystems.Content.Nothing nothing -> throw new StrataException.FailedPrecondition("volume '" + volume
                        + "' holds data but no filesystem blkid knows: Strata makes a filesystem only on a blank volume and"
                        + " will not overwrite it; use it as a block volume");
                case Filesystems.Content.Other other -> throw new StrataException.FailedPrecondition("volume '" + volume
                        + "' holds " + other.description() + ", not a filesystem: Strata will not format over it; use it as a"
                        + " block volume");
            };
        }
        NodeRecords.Staged typed = record.withFsType(type);
        records.staged.put(volume, typed);
        Path stagingPath = Path.of(record.stagingPath());
        try {
            Files.createDirectories(stagingPath);
        } catch (IOException e) {
            throw new StrataException.InvalidArgument("staging_target_path " + stagingPath + " cannot be made a directory ("
                    + e.getMessage() + "): give a path under a writable directory");
        }
        filesystems.mount(loop, stagingPath, type, record.mountFlags(), record.readOnly());
        return typed;
    }

    /**
     * Undoes a staging, in reverse, from whatever state it is in, and forgets it: unmounts the
     * staging path, detaches every loop device bound to the attachment, stops the attachment, removes
     * its work directory. Each piece that is already gone is skipped.
     *
     * @throws StrataException.FailedPrecondition while the volume is still mounted anywhere but at
     *     its staging path (a publication): unmounting under it would break a workload
     */
    void teardown(NodeRecords.Staged staged) throws IOException {
        Path workDir = Path.of(staged.workDir());
        Path backing = staged.attach().equals(FUSE) || !staged.nbdDevice().isEmpty() ? backing(staged) : null;
        List<Path> backedBy = backing == null ? List.of() : loops.backedBy(backing);
        Set<Path> loopDevices = new LinkedHashSet<>();
        if (!staged.loopDevice().isEmpty() && loops.bound(Path.of(staged.loopDevice()))
                && (backing == null || backedBy.contains(Path.of(staged.loopDevice())))) {
            loopDevices.add(Path.of(staged.loopDevice()));
        }
        loopDevices.addAll(backedBy);
        Path stagingPath = Path.of(staged.stagingPath());
        List<String> inUse = new ArrayList<>(mountedPublications(staged.volume()));
        for (Path loop : loopDevices) {
            for (Mounts.Mount mount : Mounts.ofDevice(loops.majorMinor(loop))) {
                if (!mount.mountPoint().equals(stagingPath)) {
                    inUse.add(mount.mountPoint().toString());
                }
            }
        }
        if (!inUse.isEmpty()) {
            throw new StrataException.FailedPrecondition("volume '" + staged.volume() + "' is still mounted at " + inUse
                    + ": NodeUnpublishVolume each of them before NodeUnstageVolume");
        }
        for (Path loop : loopDevices) {
            String device = loops.majorMinor(loop);
            if (Mounts.at(stagingPath).filter(m -> m.device().equals(device)).isPresent()) {
                filesystems.unmount(stagingPath);
            }
        }
        for (Path loop : loopDevices) {
            loops.detach(loop);
            awaitUnbound(loop);
        }
        if (staged.attach().equals(FUSE)) {
            fuse.detach(workDir);
        } else if (!staged.nbdDevice().isEmpty()) {
            kernel.detach(Path.of(staged.nbdDevice()));
        }
        deleteWorkDir(workDir);
        records.staged.delete(staged.volume());
        LOG.info("volume {} is unstaged from {}", staged.volume(), stagingPath);
    }

    /** The target paths of {@code volume} that are still mount points. */
    List<String> mountedPublications(String volume) throws IOException {
        List<String> mounted = new ArrayList<>();
        for (NodeRecords.Published published : records.publicationsOf(volume)) {
            if (Mounts.at(Path.of(published.targetPath())).isPresent()) {
                mounted.add(published.targetPath());
            }
        }
        return mounted;
    }

    /** A loop device that something still holds open is detached only when it lets go: wait briefly for that. */
    private void awaitUnbound(Path loop) throws IOException {
        for (int i = 0; i < 100 && loops.bound(loop); i++) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while detaching " + loop);
            }
        }
        if (loops.bound(loop)) {
            throw new StrataException.FailedPrecondition(loop + " is still open (a workload still uses the block device?): it is"
                    + " detached as soon as it is closed; retry then");
        }
    }

    /** Removes the attachment's directory: its FUSE mount point (unmounted by now), pid file and log. */
    private void deleteWorkDir(Path workDir) throws IOException {
        if (!Files.exists(workDir)) {
            return;
        }
        List<Mounts.Mount> mounted = Mounts.under(workDir);
        if (!mounted.isEmpty()) {
            throw new IOException(workDir + " still holds a mount: " + mounted.getFirst().mountPoint());
        }
        try (Stream<Path> files = Files.walk(workDir)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        }
    }

    /**
     * After a start: undoes stagings a crash interrupted, and reports those that no longer work (their
     * NBD connections went with the last server process) so that an operator knows why their I/O fails.
     */
    void reconcile() throws IOException {
        for (NodeRecords.Staged staged : records.staged.all()) {
            if (!staged.staged()) {
                LOG.info("undoing the staging of volume {} that the last stop interrupted", staged.volume());
                try {
                    teardown(staged);
                } catch (IOException | RuntimeException e) {
                    LOG.warn("cannot undo the interrupted staging of volume {}: {}", staged.volume(), e.getMessage());
                }
                continue;
            }
            Optional<String> problem = health.problem(staged, true);
            if (problem.isPresent()) {
                LOG.warn("volume {} is staged at {} but {}: its I/O fails until it is unstaged and staged again (restart the"
                        + " pods that use it)", staged.volume(), staged.stagingPath(), problem.get());
            } else {
                LOG.info("volume {} is staged at {} and works", staged.volume(), staged.stagingPath());
            }
        }
    }
}
