package io.strata.csi.node;

import io.strata.control.state.StateStore;
import io.strata.domain.StrataException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;

/**
 * This machine as the Node service sees it: volumes attached from the server's NBD socket, staged,
 * published to workloads, grown and watched. The CSI layer checks requests and locks the volume; this
 * does the work, with every OS program run through {@link Os}, every step recorded in the server's
 * state store so that a restarted server can undo what a crashed one left, and no failure leaving a
 * mount, loop device or FUSE server behind.
 *
 * <p>Not safe for concurrent calls on one volume: the caller serialises them (it locks the volume).
 * Calls on different volumes may run at once.
 */
public final class NodeHost {

    private final NodeConfig config;
    private final NodeRecords records;
    private final LoopDevices loops;
    private final Staging staging;
    private final Publishing publishing;
    private final Expansion expansion;
    private final Health health;

    public NodeHost(NodeConfig config, StateStore state, Os os) throws IOException {
        this.config = config;
        this.records = new NodeRecords(state);
        this.loops = new LoopDevices(os);
        Filesystems filesystems = new Filesystems(os);
        NbdFuse fuse = new NbdFuse(os, config.nbdSocket());
        KernelNbd kernel = new KernelNbd(os, config.nbdSocket());
        this.health = new Health(loops, fuse, kernel);
        this.staging = new Staging(config, records, loops, filesystems, fuse, kernel, health, Clock.systemUTC());
        this.publishing = new Publishing(records, filesystems, Clock.systemUTC());
        this.expansion = new Expansion(records, loops, filesystems);
    }

    public NodeConfig config() {
        return config;
    }

    /** After a start, before serving: undoes interrupted stagings, reports broken ones. */
    public void reconcile() throws IOException {
        staging.reconcile();
    }

    /** NodeStageVolume: see {@link Staging#stage}. */
    public void stage(StageSpec spec) {
        internal("staging volume '" + spec.volume() + "'", () -> {
            staging.stage(spec);
            return null;
        });
    }

    /**
     * NodeUnstageVolume: undoes the staging of {@code volume} at {@code stagingPath}, however far it got.
     *
     * @return false when the volume was not staged there (nothing to do)
     */
    public boolean unstage(String volume, Path stagingPath) {
        return internal("unstaging volume '" + volume + "'", () -> {
            Optional<NodeRecords.Staged> staged = records.staged.get(volume);
            if (staged.isEmpty() || !staged.get().stagingPath().equals(stagingPath.normalize().toString())) {
                return false;
            }
            staging.teardown(staged.get());
            return true;
        });
    }

    /** NodePublishVolume: see {@link Publishing#publish}. */
    public void publish(PublishSpec spec) {
        internal("publishing volume '" + spec.volume() + "'", () -> {
            publishing.publish(spec);
            return null;
        });
    }

    /** NodeUnpublishVolume. @return false when nothing was published there */
    public boolean unpublish(String volume, Path targetPath) {
        return internal("unpublishing volume '" + volume + "'", () -> publishing.unpublish(volume, targetPath.normalize()));
    }

    /** Whether the node holds anything of {@code volume}: a staging (done or not) or a publication. */
    public boolean holds(String volume) throws IOException {
        return records.staged.get(volume).isPresent() || !records.publicationsOf(volume).isEmpty();
    }

    /**
     * NodeExpandVolume: grows the staged volume's device to {@code size}, then its filesystem.
     *
     * @param volumePath where the CO sees the volume: its staging path or one of its target paths
     * @return the size the volume has on this node now
     */
    public long expand(String volume, Path volumePath, long size) {
        return internal("expanding volume '" + volume + "'", () -> expansion.expand(stagedAt(volume, volumePath), size));
    }

    /** NodeGetVolumeStats of the volume at {@code volumePath} (its staging path or a target path). */
    public VolumeStats stats(String volume, Path volumePath) {
        return internal("reading the stats of volume '" + volume + "'", () -> statsOf(volume, volumePath));
    }

    private VolumeStats statsOf(String volume, Path volumePath) throws IOException {
        NodeRecords.Staged staged = stagedAt(volume, volumePath);
        Optional<String> problem = health.problem(staged, true);
        Path loop = Path.of(staged.loopDevice());
        if (staged.block()) {
            Optional<VolumeStats.Usage> bytes = loops.bound(loop) ? Optional.of(new VolumeStats.Usage(loops.size(loop), 0, 0))
                    : Optional.empty();
            return new VolumeStats(bytes, Optional.empty(), problem);
        }
        try {
            Native.FsStats fs = Native.statvfs(volumePath.normalize());
            return new VolumeStats(
                    Optional.of(new VolumeStats.Usage(fs.totalBytes(), fs.totalBytes() - fs.freeBytes(), fs.availableBytes())),
                    Optional.of(new VolumeStats.Usage(fs.totalInodes(), fs.totalInodes() - fs.freeInodes(), fs.freeInodes())),
                    problem);
        } catch (IOException e) {
            return new VolumeStats(Optional.empty(), Optional.empty(),
                    Optional.of(problem.orElse("its filesystem cannot be read (" + e.getMessage() + ")")));
        }
    }

    /** A step that may fail with an I/O error. */
    private interface Step<T> {
        T run() throws IOException;
    }

    /**
     * Runs {@code step}, turning an I/O failure (a program that failed, with what it said) into an
     * internal error whose message the CO sees; domain errors pass as they are.
     */
    private static <T> T internal(String what, Step<T> step) {
        try {
            return step.run();
        } catch (IOException e) {
            throw new StrataException.Internal(what + " failed: " + e.getMessage(), e);
        }
    }

    /** The staging of {@code volume}, which must be seen at {@code volumePath}; else NOT_FOUND. */
    private NodeRecords.Staged stagedAt(String volume, Path volumePath) throws IOException {
        NodeRecords.Staged staged = records.staged.get(volume).filter(NodeRecords.Staged::staged)
                .orElseThrow(() -> new StrataException.NotFound("volume '" + volume + "' is not staged on this node"));
        String path = volumePath.normalize().toString();
        boolean known = staged.stagingPath().equals(path)
                || records.publicationsOf(volume).stream().anyMatch(p -> p.targetPath().equals(path));
        if (!known) {
            throw new StrataException.NotFound("volume_path " + path + " is neither where volume '" + volume
                    + "' is staged nor where it is published");
        }
        return staged;
    }
}
