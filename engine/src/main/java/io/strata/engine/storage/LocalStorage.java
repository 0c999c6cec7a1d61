package io.strata.engine.storage;

import io.strata.domain.PrivateFiles;
import java.io.Closeable;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * {@link Storage} on the local file system (also an NFS mount), with fsync and atomic rename. What it
 * creates is its owner's alone ({@link PrivateFiles}): files {@code rw-------}, directories
 * {@code rwx------}, set at creation.
 */
public final class LocalStorage implements Storage {

    @Override
    public StorageFile open(Path path, boolean create) throws IOException {
        FileChannel channel = create
                ? PrivateFiles.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.CREATE)
                : FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        return new LocalFile(path, channel);
    }

    @Override
    public boolean exists(Path path) {
        return Files.exists(path);
    }

    @Override
    public boolean isDirectory(Path path) {
        return Files.isDirectory(path);
    }

    @Override
    public void createDirectories(Path dir) throws IOException {
        PrivateFiles.createDirectories(dir);
    }

    @Override
    public boolean makePrivate(Path dir) throws IOException {
        return PrivateFiles.tighten(dir);
    }

    @Override
    public List<String> list(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                names.add(entry.getFileName().toString());
            }
        }
        Collections.sort(names);
        return names;
    }

    @Override
    public void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the file system under " + to.getParent() + " cannot rename atomically", e);
        }
    }

    @Override
    public void delete(Path path) throws IOException {
        Files.deleteIfExists(path);
    }

    @Override
    public void syncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (NoSuchFileException e) {
            throw e;
        } catch (IOException e) {
            // Some file systems (e.g. some NFS servers) refuse fsync on a directory; their
            // directory operations are synchronous anyway.
            if (!Files.isDirectory(dir)) {
                throw e;
            }
        }
    }

    @Override
    public Closeable lockExclusively(Path lockFile) throws IOException {
        FileChannel channel = PrivateFiles.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.READ);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            channel.close();
            throw new IOException("locked by another process: " + lockFile);
        }
        byte[] pid = (ProcessHandle.current().pid() + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        channel.truncate(0);
        channel.write(ByteBuffer.wrap(pid), 0);
        return () -> {
            try {
                lock.release();
            } finally {
                channel.close();
            }
        };
    }

    @Override
    public long largestFile(Path dir, long atMost) throws IOException {
        Path probe = dir.resolve(SIZE_PROBE);
        try (RandomAccessFile file = new RandomAccessFile(probe.toFile(), "rw")) {
            if (extendsTo(file, atMost)) {
                return atMost;
            }
            long fits = 0; // the largest length known to work, and below, the smallest known not to
            long failed = atMost;
            while (failed - fits > 1) {
                long middle = fits + (failed - fits) / 2;
                if (extendsTo(file, middle)) {
                    fits = middle;
                } else {
                    failed = middle;
                }
            }
            return fits;
        } finally {
            Files.deleteIfExists(probe);
        }
    }

    /**
     * Whether the file may be {@code length} bytes long. The failure for a length past the file
     * system's largest file is EFBIG, whose text depends on the locale; so a failure counts as "too
     * long" only when a length of 0 works right after, and any other failure is thrown.
     */
    private static boolean extendsTo(RandomAccessFile file, long length) throws IOException {
        try {
            file.setLength(length);
            return true;
        } catch (IOException tooLong) {
            try {
                file.setLength(0);
            } catch (IOException broken) {
                broken.addSuppressed(tooLong);
                throw broken;
            }
            return false;
        }
    }

    @Override
    public String fileSystemType(Path dir) throws IOException {
        return Files.getFileStore(dir).type();
    }

    private static final class LocalFile implements StorageFile {
        private final Path path;
        private final FileChannel channel;
        private final NativeFiles.Descriptor punch;
        private final MappedWindows mapped;

        LocalFile(Path path, FileChannel channel) throws IOException {
            this.path = path;
            this.channel = channel;
            this.punch = NativeFiles.openForPunching(path);
            this.mapped = new MappedWindows(channel, channel.size());
        }

        @Override
        public void readFully(ByteBuffer dst, long position) throws IOException {
            if (mapped.read(dst, position)) {
                return;
            }
            long pos = position;
            while (dst.hasRemaining()) {
                int n = channel.read(dst, pos);
                if (n < 0) {
                    while (dst.hasRemaining()) {
                        // beyond the end: zeroes
                        int chunk = Math.min(dst.remaining(), ZEROES.length);
                        dst.put(ZEROES, 0, chunk);
                    }
                    return;
                }
                pos += n;
            }
        }

        @Override
        public void readFully(java.lang.foreign.MemorySegment dst, long dstOffset, int length, long position)
                throws IOException {
            if (!mapped.read(dst, dstOffset, length, position)) {
                readFully(dst.asSlice(dstOffset, length).asByteBuffer(), position);
            }
        }

        @Override
        public void writeFully(ByteBuffer src, long position) throws IOException {
            long pos = position;
            while (src.hasRemaining()) {
                pos += channel.write(src, pos);
            }
            mapped.grewTo(pos);
        }

        @Override
        public long size() throws IOException {
            return channel.size();
        }

        @Override
        public void sync() throws IOException {
            channel.force(false);
        }

        @Override
        public void punchHole(long position, long length) throws IOException {
            if (punch != null && length > 0) {
                punch.punchHole(position, length);
            }
        }

        @Override
        public void dropCache() {
            if (punch != null) {
                punch.dropCache();
            }
        }

        @Override
        public void close() throws IOException {
            mapped.close();
            try {
                channel.close();
            } finally {
                if (punch != null) {
                    punch.close();
                }
            }
        }

        @Override
        public String toString() {
            return path.toString();
        }
    }

    private static final byte[] ZEROES = new byte[64 * 1024];
}
