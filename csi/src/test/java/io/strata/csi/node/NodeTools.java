package io.strata.csi.node;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * What a test of the Node service needs of its machine: root, FUSE, loop devices and the programs
 * the node runs. When {@code CI} is set a missing piece fails the test (CI installs them: see
 * {@code .ci/run}); elsewhere the test is skipped with a message that says what to install.
 */
public final class NodeTools {

    private NodeTools() {}

    /** Root, /dev/fuse, loop devices, util-linux, nbdfuse and e2fsprogs: what staging an ext4 volume needs. */
    public static void requireStaging() {
        requireRoot();
        requireDevice("/dev/fuse", "the fuse kernel module");
        requireDevice("/dev/loop-control", "the loop kernel module");
        require("util-linux", "losetup", "mount", "umount", "blkid", "setsid");
        require("libnbd-bin (nbdfuse on Debian 12; the nbdfuse package later)", "nbdfuse");
        require("e2fsprogs", "mkfs.ext4", "resize2fs", "e2fsck");
    }

    /** mkfs.xfs and xfs_growfs. */
    public static void requireXfs() {
        require("xfsprogs", "mkfs.xfs", "xfs_growfs");
    }

    public static void requireRoot() {
        try {
            boolean root = Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .filter(l -> l.startsWith("Uid:")).anyMatch(l -> l.split("\\s+")[2].equals("0"));
            if (!root) {
                missing("root (mounts and loop devices need it)");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Programs on the PATH; {@code debianPackage} names what installs them. */
    public static void require(String debianPackage, String... programs) {
        for (String program : programs) {
            if (!onPath(program)) {
                missing(program + " (Debian package " + debianPackage + ")");
            }
        }
    }

    private static void requireDevice(String device, String what) {
        if (!Files.exists(Path.of(device))) {
            missing(device + " (" + what + ")");
        }
    }

    private static void missing(String what) {
        String ci = System.getenv("CI");
        if (ci != null && !ci.isBlank() && !ci.equalsIgnoreCase("false")) {
            Assertions.fail("CI lacks " + what + ": .ci/run must provide it");
        }
        System.err.println("skipping: " + what + " is missing (CI provides it; install it to run this test)");
        Assumptions.abort(what + " is missing");
    }

    private static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        for (String dir : new String[] {"/usr/sbin", "/sbin"}) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }
}
