package io.strata.backupstore.target;

import io.strata.domain.PrivateFiles;
import io.strata.domain.StrataException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitResult;
import java.nio.file.LinkOption;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * A {@link BackupTarget} in a directory: a local disk or an NFS mount ({@code file:///path}, or
 * Longhorn's {@code vfs:///path}). Keys are paths below the directory. A write goes to
 * {@code <key>.tmp.<n>}, is synced, renamed over the key and the directory synced, as Longhorn's
 * file-system drivers do, so a reader sees the old or the new object. Deleting removes empty parent
 * directories up to (not including) the root.
 *
 * <p>What it creates is its owner's alone: directories {@code rwx------}, files {@code rw-------},
 * set at creation ({@link PrivateFiles}) — backups are the volumes' data.
 *
 * <p>The directory may be shared with others (an NFS export), and Strata runs as root: no symbolic
 * link below the root is followed, for reading, writing, listing or deleting, and nothing but regular
 * files and directories is opened. A read is capped at the bound its caller gives. Errors name the
 * key, never what a file holds.
 */
public final class DirectoryTarget implements BackupTarget {
    /** The temporary name {@link #write} gives an object until it is renamed into place. */
    private static final Pattern UNFINISHED = Pattern.compile(".+\\.tmp\\.[0-9]+");
    private final String url;
    private final Path root;

    public DirectoryTarget(String url, Path root) throws IOException {
        if (!root.isAbsolute()) {
            throw new StrataException.InvalidArgument("backup target directory '" + root + "' is not an absolute path");
        }
        this.url = url;
        this.root = root.normalize();
        PrivateFiles.createDirectories(this.root);
    }

    private Path path(String key) {
        Path path = root.resolve(Keys.check(key)).normalize();
        if (!path.startsWith(root) || path.equals(root)) { // Keys.check already refuses '..': a second lock on the door
            throw new StrataException.InvalidArgument("'" + key + "' is not a key inside backup target " + url);
        }
        return path;
    }

    /**
     * What is at {@code path}, read without following a link, after checking that every directory
     * between the root and it is a directory and not a link (a link anywhere below the root could
     * lead a read, a deletion or a lock file out of the store); empty when something on the way is
     * missing or is a plain file.
     *
     * @throws StrataException.Corrupt when a directory on the way is a link or a special file
     */
    private Optional<BasicFileAttributes> plainEntry(Path path) throws IOException {
        Path dir = root;
        Path relative = root.relativize(path);
        for (int i = 0; i < relative.getNameCount(); i++) {
            dir = dir.resolve(relative.getName(i));
            BasicFileAttributes attributes;
            try {
                attributes = Files.readAttributes(dir, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException | java.nio.file.NotDirectoryException e) {
                return Optional.empty();
            }
            if (i == relative.getNameCount() - 1) {
                return Optional.of(attributes);
            }
            if (attributes.isSymbolicLink() || attributes.isOther()) {
                throw notPlain(root.relativize(dir).toString(), attributes);
            }
            if (!attributes.isDirectory()) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    private StrataException notPlain(String key, BasicFileAttributes attributes) {
        String kind = attributes.isSymbolicLink() ? "a symbolic link, which Strata does not follow"
                : attributes.isDirectory() ? "a directory, not a file"
                : attributes.isRegularFile() ? "a file where a directory belongs"
                : "not a regular file (a FIFO, socket or device)";
        return new StrataException.Corrupt(key + " in backup target " + url + " is " + kind
                + ": a backup target holds only regular files and directories; remove or replace it");
    }

    private void checkSize(String key, long size, long maxBytes) {
        if (size > maxBytes) {
            throw new StrataException.Corrupt(key + " in backup target " + url + " holds " + size + " bytes, more than the "
                    + maxBytes + " an object of its kind may hold: it is damaged or was not written by Longhorn or Strata");
        }
    }

    /** Creates the directories from the root down to {@code dir}, refusing a link or a file on the way. */
    private void createDirectories(Path dir) throws IOException {
        Path d = root;
        Path relative = root.relativize(dir);
        if (relative.toString().isEmpty()) {
            return;
        }
        for (Path name : relative) {
            d = d.resolve(name);
            try {
                PrivateFiles.createDirectory(d);
            } catch (FileAlreadyExistsException exists) {
                BasicFileAttributes attributes = Files.readAttributes(d, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                if (!attributes.isDirectory()) {
                    throw notPlain(root.relativize(d).toString(), attributes);
                }
            }
        }
    }

    @Override
    public String url() {
        return url;
    }

    /**
     * Reads a regular file of at most {@code maxBytes}, opened without following a link. What is
     * checked (every directory below the root a real one, the file a regular one, its size) is
     * checked before it is opened, so a FIFO or a device is never opened and a read never waits on
     * one; what is read after opening is still capped, in case the file changed meanwhile.
     */
    @Override
    public Optional<byte[]> read(String key, long maxBytes) throws IOException {
        Path file = path(key);
        Optional<BasicFileAttributes> found = plainEntry(file);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        if (!found.get().isRegularFile()) {
            throw notPlain(key, found.get());
        }
        checkSize(key, found.get().size(), maxBytes);
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            long size = in.size();
            checkSize(key, size, maxBytes);
            ByteBuffer buffer = ByteBuffer.allocate((int) size);
            while (buffer.hasRemaining() && in.read(buffer) >= 0) {
                // a short read: go on until the size read at the start, or the end of a file that shrank
            }
            if (!buffer.hasRemaining() && in.read(ByteBuffer.allocate(1)) > 0) {
                checkSize(key, size + 1, maxBytes); // it grew after the size was read
            }
            return Optional.of(buffer.position() == size ? buffer.array() : java.util.Arrays.copyOf(buffer.array(), buffer.position()));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (FileSystemException e) {
            if (e.getReason() != null && e.getReason().contains("symbolic link")) { // ELOOP: a link put there since the check
                throw new StrataException.Corrupt(key + " in backup target " + url + " is a symbolic link, which Strata does not follow:"
                        + " replace it with the file itself");
            }
            throw e;
        }
    }

    @Override
    public void write(String key, byte[] data) throws IOException {
        Path target = path(key);
        createDirectories(target.getParent());
        Path temp = target.resolveSibling(target.getFileName() + ".tmp." + System.nanoTime()
                + ThreadLocalRandom.current().nextInt(1000));
        try {
            try (FileChannel out = PrivateFiles.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS)) {
                ByteBuffer buffer = ByteBuffer.wrap(data);
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
                out.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.deleteIfExists(temp);
            throw new IOException("the file system under " + target.getParent() + " cannot rename atomically", e);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        syncDirectory(target.getParent());
    }

    @Override
    public List<String> list(String prefix) throws IOException {
        Path dir = prefix.isEmpty() ? root : path(prefix);
        if (!prefix.isEmpty()) {
            Optional<BasicFileAttributes> found = plainEntry(dir);
            if (found.isEmpty() || found.get().isRegularFile()) {
                return List.of();
            }
            if (!found.get().isDirectory()) {
                throw notPlain(prefix, found.get());
            }
        }
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (!name.contains(".tmp.")) {
                    names.add(name);
                }
            }
        } catch (NoSuchFileException e) {
            return List.of();
        }
        Collections.sort(names);
        return names;
    }

    @Override
    /** A link or a special file is no object: empty, so that a backup writes a real block over it. */
    public Optional<Instant> modified(String key) throws IOException {
        return plainEntry(path(key)).filter(a -> a.isRegularFile() || a.isDirectory()).map(a -> a.lastModifiedTime().toInstant());
    }

    @Override
    public void delete(String key) throws IOException {
        Path target = path(key);
        if (plainEntry(target).isEmpty()) {
            return; // missing; a link on the way has thrown: nothing beyond it is deleted
        }
        if (Files.deleteIfExists(target)) { // a link itself is removed, never what it points to
            removeEmptyParents(target.getParent());
        }
    }

    @Override
    public void deleteAll(String prefix) throws IOException {
        Path dir = path(prefix);
        if (plainEntry(dir).isEmpty()) {
            return;
        }
        // without FOLLOW_LINKS the walk visits a link (even the start) as a file and deletes the link alone
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.deleteIfExists(d);
                return FileVisitResult.CONTINUE;
            }
        });
        removeEmptyParents(dir.getParent());
    }

    /** Removes {@code <key>.tmp.<n>} files (see {@link #write}) under {@code prefix} last modified before {@code olderThan}. */
    @Override
    public int removeUnfinishedWrites(String prefix, Instant olderThan) throws IOException {
        Path dir = path(prefix);
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return 0;
        }
        int[] removed = {0};
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (attrs.isRegularFile() && UNFINISHED.matcher(file.getFileName().toString()).matches()
                        && attrs.lastModifiedTime().toInstant().isBefore(olderThan) && Files.deleteIfExists(file)) {
                    removed[0]++;
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE; // renamed into place or removed meanwhile
                }
                throw e;
            }
        });
        return removed[0];
    }

    private void removeEmptyParents(Path dir) throws IOException {
        for (Path d = dir; d != null && d.startsWith(root) && !d.equals(root); d = d.getParent()) {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(d)) {
                if (entries.iterator().hasNext()) {
                    return;
                }
            } catch (NoSuchFileException e) {
                continue;
            }
            try {
                Files.deleteIfExists(d);
            } catch (java.nio.file.DirectoryNotEmptyException raced) {
                return; // a writer put something there meanwhile
            }
        }
    }

    private static void syncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // some NFS servers refuse fsync on a directory; their renames are synchronous anyway
            if (!Files.isDirectory(dir)) {
                throw e;
            }
        }
    }

    @Override
    public String toString() {
        return url;
    }
}
