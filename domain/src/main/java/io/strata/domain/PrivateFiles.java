package io.strata.domain;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * Files and directories only their owner may read: volume data, backups, job records and state are
 * somebody's disk, so another user of the machine must not read them. Directories are created
 * {@code rwx------} and files {@code rw-------}, with the mode given at creation (never a chmod
 * afterwards, which leaves a moment in which the file is open to all).
 *
 * <p>On a file system without POSIX permissions the modes are left to it.
 */
public final class PrivateFiles {
    public static final Set<PosixFilePermission> DIRECTORY_MODE = PosixFilePermissions.fromString("rwx------");
    public static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
    private static final FileAttribute<?>[] NONE = new FileAttribute<?>[0];
    private static final Set<PosixFilePermission> GROUP_AND_OTHERS = EnumSet.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private PrivateFiles() {}

    private static boolean posix(Path path) {
        return path.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    /** The attribute that creates a directory at {@code path} as {@code rwx------}. */
    public static FileAttribute<?>[] directoryMode(Path path) {
        return posix(path) ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(DIRECTORY_MODE)} : NONE;
    }

    /** The attribute that creates a file at {@code path} as {@code rw-------}. */
    public static FileAttribute<?>[] fileMode(Path path) {
        return posix(path) ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(FILE_MODE)} : NONE;
    }

    /** {@link Files#createDirectories}, each directory it creates {@code rwx------}; those that exist stay as they are. */
    public static Path createDirectories(Path dir) throws IOException {
        return Files.createDirectories(dir, directoryMode(dir));
    }

    /** {@link Files#createDirectory}, {@code rwx------}. */
    public static Path createDirectory(Path dir) throws IOException {
        return Files.createDirectory(dir, directoryMode(dir));
    }

    /** {@link FileChannel#open}; a file it creates is {@code rw-------}. */
    public static FileChannel open(Path file, OpenOption... options) throws IOException {
        return FileChannel.open(file, Set.of(options), fileMode(file));
    }

    /** {@link Files#createFile}, {@code rw-------}. */
    public static Path createFile(Path file) throws IOException {
        return Files.createFile(file, fileMode(file));
    }

    /**
     * Takes the group's and others' permissions off an existing directory (or file), e.g. a data
     * directory made by an older version or by hand.
     *
     * @return whether it was looser and has been tightened
     */
    public static boolean tighten(Path path) throws IOException {
        if (!posix(path)) {
            return false;
        }
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(path);
        if (mode.stream().noneMatch(GROUP_AND_OTHERS::contains)) {
            return false;
        }
        Set<PosixFilePermission> owner = EnumSet.copyOf(mode);
        owner.removeAll(GROUP_AND_OTHERS);
        Files.setPosixFilePermissions(path, owner);
        return true;
    }
}
