package io.strata.backupstore.target;

import io.strata.domain.PrivateFiles;
import io.strata.domain.StrataException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
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
        return root.resolve(Keys.check(key));
    }

    @Override
    public String url() {
        return url;
    }

    @Override
    public Optional<byte[]> read(String key) throws IOException {
        try {
            return Optional.of(Files.readAllBytes(path(key)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    @Override
    public void write(String key, byte[] data) throws IOException {
        Path target = path(key);
        PrivateFiles.createDirectories(target.getParent());
        Path temp = target.resolveSibling(target.getFileName() + ".tmp." + System.nanoTime()
                + ThreadLocalRandom.current().nextInt(1000));
        try {
            try (FileChannel out = PrivateFiles.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
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
        if (!Files.isDirectory(dir)) {
            return List.of();
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
    public Optional<Instant> modified(String key) throws IOException {
        try {
            return Optional.of(Files.getLastModifiedTime(path(key)).toInstant());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    @Override
    public void delete(String key) throws IOException {
        Path target = path(key);
        if (Files.deleteIfExists(target)) {
            removeEmptyParents(target.getParent());
        }
    }

    @Override
    public void deleteAll(String prefix) throws IOException {
        Path dir = path(prefix);
        if (!Files.exists(dir)) {
            return;
        }
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
