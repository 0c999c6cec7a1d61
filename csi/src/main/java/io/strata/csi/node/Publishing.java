package io.strata.csi.node;

import io.strata.domain.StrataException;
import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishing: a staged volume bind-mounted at a workload's target path: the staging path's
 * filesystem onto a directory, or the loop device's node onto a file for block access; read-only
 * when asked.
 */
final class Publishing {

    private static final Logger LOG = LoggerFactory.getLogger(Publishing.class);

    private final NodeRecords records;
    private final Filesystems filesystems;
    private final Clock clock;

    Publishing(NodeRecords records, Filesystems filesystems, Clock clock) {
        this.records = records;
        this.filesystems = filesystems;
        this.clock = clock;
    }

    /**
     * Publishes a staged volume at a target path. The same publication again is fine; the same target
     * path published otherwise is ALREADY_EXISTS.
     */
    void publish(PublishSpec spec) throws IOException {
        NodeRecords.Staged staged = records.staged.get(spec.volume()).filter(NodeRecords.Staged::staged)
                .filter(s -> s.stagingPath().equals(spec.stagingPath().toString()))
                .orElseThrow(() -> new StrataException.FailedPrecondition("volume '" + spec.volume() + "' is not staged at "
                        + spec.stagingPath() + ": NodeStageVolume it there first"));
        if (staged.block() != spec.block()) {
            throw new StrataException.FailedPrecondition("volume '" + spec.volume() + "' is staged for "
                    + (staged.block() ? "block" : "mount") + " access, and cannot be published for " + (spec.block() ? "block" : "mount")
                    + " access: stage it the way it is used");
        }
        String target = spec.targetPath().toString();
        Optional<NodeRecords.Published> existing = records.publication(spec.volume(), target);
        if (existing.isPresent()) {
            NodeRecords.Published published = existing.get();
            if (published.readOnly() != spec.readOnly() || published.block() != spec.block()) {
                throw new StrataException.AlreadyExists("volume '" + spec.volume() + "' is already published at " + target + " "
                        + (published.readOnly() ? "read-only" : "read-write") + ": unpublish it before publishing it "
                        + (spec.readOnly() ? "read-only" : "read-write"));
            }
            if (Mounts.at(spec.targetPath()).isPresent()) {
                return;
            }
        }
        for (NodeRecords.Published other : records.publicationsOf(spec.volume())) {
            if (!other.targetPath().equals(target) && (spec.singleWriter() || other.singleWriter())) {
                throw new StrataException.FailedPrecondition("volume '" + spec.volume() + "' is published at " + other.targetPath()
                        + " for a single workload (SINGLE_NODE_SINGLE_WRITER): unpublish it there first");
            }
        }
        NodeRecords.Published record = new NodeRecords.Published(spec.volume(), target, spec.readOnly(), spec.block(),
                spec.singleWriter(), clock.instant());
        records.published.put(NodeRecords.publicationKey(spec.volume(), target), record);
        boolean created = false;
        try {
            created = makeTarget(spec.targetPath(), spec.block());
            Path source = spec.block() ? Path.of(staged.loopDevice()) : spec.stagingPath();
            filesystems.bind(source, spec.targetPath(), spec.readOnly());
            LOG.info("volume {} is published at {}{}", spec.volume(), target, spec.readOnly() ? " read-only" : "");
        } catch (IOException | RuntimeException e) {
            try {
                filesystems.unmount(spec.targetPath());
                if (created) {
                    Files.deleteIfExists(spec.targetPath());
                }
                records.published.delete(NodeRecords.publicationKey(spec.volume(), target));
            } catch (IOException | RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    /** Creates the target path: a directory, or for block access an empty file. @return whether it was created */
    private static boolean makeTarget(Path target, boolean block) throws IOException {
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            boolean right = block ? Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS) || isDeviceNode(target)
                    : Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS);
            if (!right) {
                throw new StrataException.InvalidArgument("target_path " + target + " exists and is not a "
                        + (block ? "file" : "directory") + ": give a path that is one, or none");
            }
            return false;
        }
        try {
            Files.createDirectories(target.getParent());
            if (block) {
                Files.createFile(target);
            } else {
                Files.createDirectory(target);
            }
            return true;
        } catch (IOException e) {
            throw new StrataException.InvalidArgument("target_path " + target + " cannot be created (" + e.getMessage()
                    + "): give a path under a writable directory");
        }
    }

    private static boolean isDeviceNode(Path path) throws IOException {
        return !Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS) && !Files.isSymbolicLink(path)
                && ((Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 0170000) == 0060000;
    }

    /**
     * Unpublishes: unmounts the target path (every mount stacked there), removes it, forgets the
     * publication. A target path with nothing there is fine.
     *
     * @return whether there was anything to undo
     */
    boolean unpublish(String volume, Path targetPath) throws IOException {
        String target = targetPath.toString();
        boolean known = records.publication(volume, target).isPresent();
        boolean mounted = false;
        for (int i = 0; i < 8 && Mounts.at(targetPath).isPresent(); i++) {
            filesystems.unmount(targetPath);
            mounted = true;
        }
        if (Mounts.at(targetPath).isPresent()) {
            throw new IOException(targetPath + " is still a mount point after unmounting it 8 times");
        }
        if (known || mounted) {
            removeTarget(targetPath);
        }
        records.published.delete(NodeRecords.publicationKey(volume, target));
        if (known || mounted) {
            LOG.info("volume {} is unpublished from {}", volume, target);
        }
        return known || mounted;
    }

    /** Removes what publishing made; a directory that someone filled is left, with its content. */
    private static void removeTarget(Path target) throws IOException {
        try {
            Files.deleteIfExists(target);
        } catch (DirectoryNotEmptyException e) {
            LOG.warn("leaving {}: it is not empty", target);
        }
    }
}
