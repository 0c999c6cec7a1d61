package io.strata.csi.node;

import io.strata.control.state.StateStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * What the node must remember across a crash, in the server's state store: every step of a staging
 * is written down before it is taken, so that whatever a crash leaves behind (a FUSE server, a loop
 * device, a mount) can be found and undone by the next process.
 */
final class NodeRecords {

    /**
     * A volume staged, or being staged, on this node.
     *
     * @param stagingPath where the CO asked for it
     * @param fsType      the filesystem mounted ({@code ""} for block access)
     * @param attach      {@code fuse} or {@code kernel}
     * @param workDir     this attachment's directory: FUSE mount point, pid file, log
     * @param fusePid     the nbdfuse process, once known (0 before)
     * @param nbdDevice   the kernel NBD device, once chosen ({@code ""} before, or with FUSE)
     * @param loopDevice  the loop device, once bound ({@code ""} before)
     * @param size        the bytes the loop device is limited to
     * @param staged      true once every step is done; false while staging, or after a crash during it
     */
    record Staged(String volume, String stagingPath, boolean block, String fsType, List<String> mountFlags, boolean readOnly,
                  String attach, String workDir, long fusePid, String nbdDevice, String loopDevice, long size, boolean staged,
                  Instant since) {
        Staged {
            mountFlags = List.copyOf(mountFlags);
        }

        Staged withFusePid(long pid) {
            return new Staged(volume, stagingPath, block, fsType, mountFlags, readOnly, attach, workDir, pid, nbdDevice, loopDevice,
                    size, staged, since);
        }

        Staged withNbdDevice(String device) {
            return new Staged(volume, stagingPath, block, fsType, mountFlags, readOnly, attach, workDir, fusePid, device, loopDevice,
                    size, staged, since);
        }

        Staged withLoopDevice(String device) {
            return new Staged(volume, stagingPath, block, fsType, mountFlags, readOnly, attach, workDir, fusePid, nbdDevice, device,
                    size, staged, since);
        }

        Staged withFsType(String type) {
            return new Staged(volume, stagingPath, block, type, mountFlags, readOnly, attach, workDir, fusePid, nbdDevice, loopDevice,
                    size, staged, since);
        }

        Staged withSize(long bytes) {
            return new Staged(volume, stagingPath, block, fsType, mountFlags, readOnly, attach, workDir, fusePid, nbdDevice, loopDevice,
                    bytes, staged, since);
        }

        Staged done() {
            return new Staged(volume, stagingPath, block, fsType, mountFlags, readOnly, attach, workDir, fusePid, nbdDevice, loopDevice,
                    size, true, since);
        }
    }

    /** A volume published at a target path. */
    record Published(String volume, String targetPath, boolean readOnly, boolean block, boolean singleWriter, Instant since) {}

    /** A filesystem being made on a volume: until it is done, the volume's data is ours to overwrite. */
    record Formatting(String volume, String fsType, Instant started) {}

    final StateStore.Table<Staged> staged;
    final StateStore.Table<Published> published;
    final StateStore.Table<Formatting> formatting;

    NodeRecords(StateStore state) throws IOException {
        this.staged = state.table("node-staged", Staged.class);
        this.published = state.table("node-published", Published.class);
        this.formatting = state.table("node-formatting", Formatting.class);
    }

    /** The publications of {@code volume}. */
    List<Published> publicationsOf(String volume) throws IOException {
        return published.all().stream().filter(p -> p.volume().equals(volume)).toList();
    }

    Optional<Published> publication(String volume, String targetPath) throws IOException {
        return published.get(publicationKey(volume, targetPath));
    }

    /** Target paths may be anything; the key is the volume and a digest of the path. */
    static String publicationKey(String volume, String targetPath) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(targetPath.getBytes(StandardCharsets.UTF_8));
            return volume + "@" + HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
