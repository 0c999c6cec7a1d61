package io.strata.csi.node;

import io.strata.domain.StrataException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Growing a staged volume once the volume itself has grown: the export the node attached is the
 * volume's growable one, as large as a volume may ever be, so nothing below the loop device needs to
 * change. The loop device's size limit is raised (an ioctl, while it is in use; the kernel tells the
 * filesystem's device at once), then the filesystem grows: online with resize2fs or xfs_growfs.
 *
 * <p>Growing a mounted ext4 needs CAP_SYS_RESOURCE. A process without it grows an ext4 that only
 * the staging path mounts offline (unmount, e2fsck, resize2fs, mount), which is what the CO's
 * offline expansion (NodeExpandVolume between stage and publish) is for; one that a workload has
 * mounted is FAILED_PRECONDITION, the spec's answer for a volume that cannot grow while in use.
 */
final class Expansion {

    private static final Logger LOG = LoggerFactory.getLogger(Expansion.class);
    private static final int CAP_SYS_RESOURCE = 24;

    private final NodeRecords records;
    private final LoopDevices loops;
    private final Filesystems filesystems;

    Expansion(NodeRecords records, LoopDevices loops, Filesystems filesystems) {
        this.records = records;
        this.loops = loops;
        this.filesystems = filesystems;
    }

    /** Grows the staged volume to {@code size} bytes. @return its size now */
    long expand(NodeRecords.Staged staged, long size) throws IOException {
        Path loop = Path.of(staged.loopDevice());
        if (loops.size(loop) < size) {
            loops.resize(loop, size);
            LOG.info("{} of volume {} is {} bytes now", loop, staged.volume(), size);
        }
        records.staged.put(staged.volume(), staged.withSize(Math.max(size, staged.size())));
        if (staged.block()) {
            return loops.size(loop);
        }
        Path stagingPath = Path.of(staged.stagingPath());
        try {
            filesystems.grow(staged.fsType(), loop, stagingPath); // a filesystem that fills its device already is fine
        } catch (Os.CommandException e) {
            if (!staged.fsType().equals("ext4") || capable(CAP_SYS_RESOURCE)) {
                throw e;
            }
            List<Path> inUse = Mounts.ofDevice(loops.majorMinor(loop)).stream().map(Mounts.Mount::mountPoint)
                    .filter(p -> !p.equals(stagingPath)).toList();
            if (!inUse.isEmpty()) {
                throw new StrataException.FailedPrecondition("growing the mounted ext4 filesystem of volume '" + staged.volume()
                        + "' needs CAP_SYS_RESOURCE, which the node plugin lacks, and the volume is in use at " + inUse
                        + ": give the plugin that capability (run it privileged), or let the volume grow while no workload uses it");
            }
            LOG.info("growing the ext4 filesystem of volume {} offline: the node plugin lacks CAP_SYS_RESOURCE", staged.volume());
            filesystems.unmount(stagingPath);
            try {
                filesystems.growUnmountedExt4(loop);
            } finally {
                filesystems.mount(loop, stagingPath, "ext4", staged.mountFlags(), staged.readOnly());
            }
        }
        LOG.info("the {} filesystem of volume {} fills its {} bytes", staged.fsType(), staged.volume(), size);
        return loops.size(loop);
    }

    /** Whether this process has capability {@code bit} in its effective set. */
    static boolean capable(int bit) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("CapEff:")) {
                long effective = Long.parseUnsignedLong(line.substring("CapEff:".length()).strip(), 16);
                return (effective & (1L << bit)) != 0;
            }
        }
        return false;
    }
}
