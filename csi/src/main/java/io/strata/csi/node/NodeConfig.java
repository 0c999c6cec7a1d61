package io.strata.csi.node;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * How the Node service attaches volumes on this machine.
 *
 * @param nodeId     this node's id, as NodeGetInfo reports it
 * @param maxVolumes volumes staged here at once, at most; NodeGetInfo reports it so that the
 *                   scheduler never sends more
 * @param nbdSocket  the Strata server's NBD socket, which every attachment connects to
 * @param workDir    where the node keeps an attachment's FUSE mount point, pid file and log
 *                   ({@code <data dir>/node}); it must not be shared with another server
 * @param attach     how exports become block devices
 */
public record NodeConfig(String nodeId, int maxVolumes, Path nbdSocket, Path workDir, AttachMode attach) {

    /** Volumes per node unless configured: each is a loop device and a FUSE server (or an nbd device). */
    public static final int DEFAULT_MAX_VOLUMES = 64;

    /** How an NBD export becomes a block device. */
    public enum AttachMode {
        /** The kernel's NBD client when the nbd module is loaded ({@code /dev/nbd0} exists), else nbdfuse. */
        AUTO,
        /** nbdfuse: the export as a file on a FUSE mount, under a loop device. */
        FUSE,
        /** The kernel's NBD client ({@code nbd-client}), under a loop device. */
        KERNEL;

        /** What {@link #AUTO} means on this machine. */
        AttachMode resolve() {
            return this != AUTO ? this : Files.exists(Path.of("/dev/nbd0")) ? KERNEL : FUSE;
        }
    }

    public NodeConfig {
        Objects.requireNonNull(nodeId, "nodeId");
        if (maxVolumes < 1) {
            throw new IllegalArgumentException("a node serves at least one volume, not " + maxVolumes);
        }
        nbdSocket = nbdSocket.toAbsolutePath().normalize();
        workDir = workDir.toAbsolutePath().normalize();
        Objects.requireNonNull(attach, "attach");
    }

    /** The defaults of a server whose data lives in {@code dataDir}. */
    public static NodeConfig of(String nodeId, Path nbdSocket, Path dataDir) {
        return new NodeConfig(nodeId, DEFAULT_MAX_VOLUMES, nbdSocket, dataDir.resolve("node"), AttachMode.AUTO);
    }
}
