package io.strata.csi.node;

import io.strata.domain.StrataException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Filesystems on a staged device: what a device holds, making one on a blank device, mounting,
 * unmounting, growing. Strata makes and grows ext4 (the default) and xfs.
 */
final class Filesystems {

    /** What {@code blkid} finds on a device. */
    sealed interface Content {
        /** No signature at all. */
        record Nothing() implements Content {}

        /** A filesystem of {@code type}, e.g. {@code ext4}. */
        record Filesystem(String type) implements Content {}

        /** Some other signature: a partition table, RAID member, LUKS, swap... */
        record Other(String description) implements Content {}
    }

    private final Os os;

    Filesystems(Os os) {
        this.os = os;
    }

    /** Low-level probing ({@code -p}), so that no cache can hide what is on the device. */
    Content probe(Path device) throws IOException {
        Os.Output found = os.run(Command.of("blkid", "-p", "-o", "export", device.toString()).alsoSucceedsWith(2));
        if (found.exit() == 2) {
            return new Content.Nothing();
        }
        Map<String, String> tags = found.stdout().lines().filter(l -> l.contains("="))
                .collect(Collectors.toMap(l -> l.substring(0, l.indexOf('=')), l -> l.substring(l.indexOf('=') + 1), (a, b) -> a));
        String usage = tags.getOrDefault("USAGE", "");
        if (tags.containsKey("TYPE") && usage.equals("filesystem")) {
            return new Content.Filesystem(tags.get("TYPE"));
        }
        if (tags.containsKey("PTTYPE")) {
            return new Content.Other("a " + tags.get("PTTYPE") + " partition table");
        }
        return new Content.Other(tags.containsKey("TYPE") ? "a " + tags.get("TYPE") + " signature" : "an unknown signature");
    }

    /**
     * Makes a filesystem. The caller has found the device blank with {@link #probe}, or knows that what
     * is there is the remains of its own interrupted format ({@code overwrite}): that is the guard, since
     * mke2fs asks before overwriting a filesystem only on a terminal (mkfs.xfs refuses unless forced).
     * Discards are skipped: a blank volume reads as zeroes already.
     */
    void format(Path device, String fsType, boolean overwrite) throws IOException {
        Command command = switch (fsType) {
            case "ext4" -> Command.of("mkfs.ext4", "-q", "-E", "nodiscard", device.toString());
            case "xfs" -> overwrite ? Command.of("mkfs.xfs", "-q", "-K", "-f", device.toString())
                    : Command.of("mkfs.xfs", "-q", "-K", device.toString());
            default -> throw new StrataException.InvalidArgument("Strata makes ext4 or xfs filesystems, not " + fsType);
        };
        os.run(command.timeout(Command.LONG_TIMEOUT));
    }

    /**
     * Mounts {@code device} at {@code target}. An xfs filesystem is mounted with {@code nouuid}: a
     * volume cloned from another carries the same UUID, and xfs refuses a second mount of one otherwise.
     */
    void mount(Path device, Path target, String fsType, List<String> flags, boolean readOnly) throws IOException {
        List<String> options = new ArrayList<>(flags);
        if (readOnly) {
            options.add("ro");
        }
        if (fsType.equals("xfs") && !options.contains("nouuid")) {
            options.add("nouuid");
        }
        List<String> argv = new ArrayList<>(List.of("mount", "-t", fsType));
        if (!options.isEmpty()) {
            argv.addAll(List.of("-o", String.join(",", options)));
        }
        argv.addAll(List.of(device.toString(), target.toString()));
        os.run(Command.of(argv));
    }

    /** Bind-mounts {@code source} (a directory or a device node) at {@code target}, read-only if asked. */
    void bind(Path source, Path target, boolean readOnly) throws IOException {
        List<String> argv = new ArrayList<>(List.of("mount", "--bind"));
        if (readOnly) {
            argv.addAll(List.of("-o", "ro")); // mount(8) remounts the bind read-only itself
        }
        argv.addAll(List.of(source.toString(), target.toString()));
        os.run(Command.of(argv));
    }

    /** Unmounts what is mounted at {@code target}, if anything. */
    void unmount(Path target) throws IOException {
        if (Mounts.at(target).isPresent()) {
            os.run(Command.of("umount", target.toString()));
        }
    }

    /** Grows a mounted filesystem to fill its device. */
    void grow(String fsType, Path device, Path mountPoint) throws IOException {
        Command command = switch (fsType) {
            case "ext4" -> Command.of("resize2fs", device.toString());
            case "xfs" -> Command.of("xfs_growfs", mountPoint.toString());
            default -> throw new StrataException.FailedPrecondition("Strata grows ext4 and xfs filesystems, not " + fsType);
        };
        os.run(command.timeout(Command.LONG_TIMEOUT));
    }

    /**
     * Grows an unmounted ext4 filesystem: resize2fs insists on a fresh check first. e2fsck's 1 means
     * it fixed something and the filesystem is fine now.
     */
    void growUnmountedExt4(Path device) throws IOException {
        os.run(Command.of("e2fsck", "-f", "-p", device.toString()).alsoSucceedsWith(1).timeout(Command.LONG_TIMEOUT));
        os.run(Command.of("resize2fs", device.toString()).timeout(Command.LONG_TIMEOUT));
    }

    /** The filesystem type {@code blkid} finds, if it is one. */
    Optional<String> typeOf(Path device) throws IOException {
        return probe(device) instanceof Content.Filesystem f ? Optional.of(f.type()) : Optional.empty();
    }
}
