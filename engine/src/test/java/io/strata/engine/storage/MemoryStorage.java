package io.strata.engine.storage;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@link Storage} in memory that models what a crash keeps, after Lucene's MockDirectoryWrapper.
 * Files and directories are inodes; a file's content and a directory's entries each have a current
 * and a durable version. {@link StorageFile#sync()} makes a file's content durable,
 * {@link #syncDirectory} a directory's entries. {@link #crash()} throws away everything not durable.
 *
 * <p>{@link #crashAfter(int)} makes the n-th mutating operation from now fail as if the process had
 * died there: it and every later operation throw, until {@link #crash()} revives the storage in its
 * durable state. {@link #copy()} forks the durable state, so one setup serves many crash points.
 */
public final class MemoryStorage implements Storage {
    private static final int PAGE = 4096;

    private Node root = Node.directory();
    private int opsUntilCrash = -1;
    private int mutatingOps;
    private boolean dead;
    private boolean locked;
    private long capacity = Long.MAX_VALUE;
    private long largestFile = Long.MAX_VALUE;

    private static final class Node {
        final boolean directory;
        TreeMap<String, Node> entries;
        TreeMap<String, Node> durableEntries;
        Content content;
        Content durableContent;

        private Node(boolean directory) {
            this.directory = directory;
            if (directory) {
                entries = new TreeMap<>();
                durableEntries = new TreeMap<>();
            } else {
                content = new Content();
                durableContent = new Content();
            }
        }

        static Node directory() {
            return new Node(true);
        }

        static Node file() {
            return new Node(false);
        }
    }

    /** Sparse bytes in pages. */
    private static final class Content {
        final Map<Long, byte[]> pages = new HashMap<>();
        long length;

        Content copy() {
            Content c = new Content();
            pages.forEach((k, v) -> c.pages.put(k, v.clone()));
            c.length = length;
            return c;
        }

        void read(ByteBuffer dst, long position) {
            long pos = position;
            while (dst.hasRemaining()) {
                long page = pos / PAGE;
                int in = (int) (pos % PAGE);
                int n = Math.min(PAGE - in, dst.remaining());
                byte[] bytes = pos < length ? pages.get(page) : null;
                int valid = (int) Math.max(0, Math.min(n, length - pos));
                if (bytes != null) {
                    dst.put(bytes, in, valid);
                } else {
                    dst.put(new byte[valid]);
                }
                dst.put(new byte[n - valid]);
                pos += n;
            }
        }

        void write(ByteBuffer src, long position) {
            long pos = position;
            while (src.hasRemaining()) {
                long page = pos / PAGE;
                int in = (int) (pos % PAGE);
                int n = Math.min(PAGE - in, src.remaining());
                src.get(pages.computeIfAbsent(page, p -> new byte[PAGE]), in, n);
                pos += n;
            }
            length = Math.max(length, pos);
        }

        void zero(long position, long len) {
            long end = Math.min(position + len, length);
            for (long pos = position; pos < end; ) {
                long page = pos / PAGE;
                int in = (int) (pos % PAGE);
                int n = (int) Math.min(PAGE - in, end - pos);
                if (in == 0 && n == PAGE) {
                    pages.remove(page);
                } else {
                    byte[] bytes = pages.get(page);
                    if (bytes != null) {
                        java.util.Arrays.fill(bytes, in, in + n, (byte) 0);
                    }
                }
                pos += n;
            }
        }

        long allocatedBytes() {
            return (long) pages.size() * PAGE;
        }

        /** Pages a write of {@code length} bytes at {@code position} would add. */
        long newPages(long position, int length) {
            long n = 0;
            for (long page = position / PAGE; length > 0 && page <= (position + length - 1) / PAGE; page++) {
                if (!pages.containsKey(page)) {
                    n++;
                }
            }
            return n;
        }
    }

    // ---------------------------------------------------------------- crash control

    /** The {@code n}-th mutating operation from now (0 = the next one) fails, and the storage is dead until {@link #crash()}. */
    public synchronized void crashAfter(int n) {
        opsUntilCrash = n;
    }

    /** Mutating operations so far: run an operation once to learn how many crash points it has. */
    public synchronized int mutatingOps() {
        return mutatingOps;
    }

    /** A crash: everything not durable is lost; the storage works again, without a pending crash. */
    public synchronized void crash() {
        revert(root, new IdentityHashMap<>());
        dead = false;
        opsUntilCrash = -1;
        locked = false;
    }

    /** A stop where everything written reached the disk: the current state becomes durable. */
    public synchronized void stopKeepingEverything() {
        persistAll(root, new IdentityHashMap<>());
        crash();
    }

    /** An independent storage holding this one's durable state. */
    public synchronized MemoryStorage copy() {
        MemoryStorage fork = new MemoryStorage();
        fork.root = copyDurable(root, new IdentityHashMap<>());
        return fork;
    }

    private static Node copyDurable(Node node, Map<Node, Node> seen) {
        Node known = seen.get(node);
        if (known != null) {
            return known;
        }
        Node fresh = node.directory ? Node.directory() : Node.file();
        seen.put(node, fresh);
        if (node.directory) {
            node.durableEntries.forEach((name, child) -> fresh.durableEntries.put(name, copyDurable(child, seen)));
            fresh.entries.putAll(fresh.durableEntries);
        } else {
            fresh.durableContent = node.durableContent.copy();
            fresh.content = node.durableContent.copy();
        }
        return fresh;
    }

    private static void revert(Node node, Map<Node, Boolean> seen) {
        if (seen.put(node, true) != null) {
            return;
        }
        if (node.directory) {
            // unsynced entries are lost, but the inodes they named still exist for open handles
            for (Node child : node.entries.values()) {
                revert(child, seen);
            }
            node.entries = new TreeMap<>(node.durableEntries);
            for (Node child : node.entries.values()) {
                revert(child, seen);
            }
        } else {
            node.content = node.durableContent.copy();
        }
    }

    private static void persistAll(Node node, Map<Node, Boolean> seen) {
        if (seen.put(node, true) != null) {
            return;
        }
        if (node.directory) {
            node.durableEntries = new TreeMap<>(node.entries);
            node.entries.values().forEach(child -> persistAll(child, seen));
        } else {
            node.durableContent = node.content.copy();
        }
    }

    private void mutate(String what) throws IOException {
        alive();
        mutatingOps++;
        if (opsUntilCrash == 0) {
            dead = true;
            throw new IOException("simulated crash before " + what);
        }
        if (opsUntilCrash > 0) {
            opsUntilCrash--;
        }
    }

    private void alive() throws IOException {
        if (dead) {
            throw new IOException("simulated crash: the process is gone");
        }
    }

    /**
     * A full disk: from now on a write that needs pages beyond {@code bytes} in all fails with "No
     * space left on device" and changes nothing; everything else goes on working.
     */
    public synchronized void setCapacity(long bytes) {
        capacity = bytes;
    }

    /**
     * A file system with a largest file, as ext4 has: from now on a write that would make a file
     * longer than {@code bytes} fails with "File too large" and changes nothing.
     */
    public synchronized void setLargestFile(long bytes) {
        largestFile = bytes;
    }

    @Override
    public synchronized long largestFile(Path dir, long atMost) throws IOException {
        alive();
        return Math.min(atMost, largestFile);
    }

    @Override
    public String fileSystemType(Path dir) {
        return "memory";
    }

    /** Bytes of file content held in pages, summed over every file reachable now. */
    public synchronized long allocatedBytes() {
        long[] total = {0};
        walk(root, node -> total[0] += node.content.allocatedBytes(), new IdentityHashMap<>());
        return total[0];
    }

    private static void walk(Node node, java.util.function.Consumer<Node> files, Map<Node, Boolean> seen) {
        if (seen.put(node, true) != null) {
            return;
        }
        if (node.directory) {
            node.entries.values().forEach(child -> walk(child, files, seen));
        } else {
            files.accept(node);
        }
    }

    // ---------------------------------------------------------------- Storage

    private Node lookup(Path path) {
        Node node = root;
        for (Path part : path.toAbsolutePath().normalize()) {
            if (node == null || !node.directory) {
                return null;
            }
            node = node.entries.get(part.toString());
        }
        return node;
    }

    private Node parentOf(Path path) throws IOException {
        Path parent = path.toAbsolutePath().normalize().getParent();
        Node node = parent == null ? root : lookup(parent);
        if (node == null || !node.directory) {
            throw new NoSuchFileException(String.valueOf(parent));
        }
        return node;
    }

    private static String nameOf(Path path) {
        return path.toAbsolutePath().normalize().getFileName().toString();
    }

    @Override
    public synchronized StorageFile open(Path path, boolean create) throws IOException {
        alive();
        Node node = lookup(path);
        if (node == null) {
            if (!create) {
                throw new NoSuchFileException(path.toString());
            }
            mutate("create " + path);
            node = Node.file();
            parentOf(path).entries.put(nameOf(path), node);
        } else if (node.directory) {
            throw new IOException(path + " is a directory");
        }
        return new MemoryFile(node, path);
    }

    @Override
    public synchronized boolean exists(Path path) {
        return lookup(path) != null;
    }

    @Override
    public synchronized boolean isDirectory(Path path) {
        Node node = lookup(path);
        return node != null && node.directory;
    }

    @Override
    public synchronized void createDirectories(Path dir) throws IOException {
        alive();
        Node node = root;
        for (Path part : dir.toAbsolutePath().normalize()) {
            Node next = node.entries.get(part.toString());
            if (next == null) {
                mutate("mkdir " + part);
                next = Node.directory();
                node.entries.put(part.toString(), next);
            } else if (!next.directory) {
                throw new FileAlreadyExistsException(dir.toString());
            }
            node = next;
        }
    }

    @Override
    public synchronized List<String> list(Path dir) throws IOException {
        alive();
        Node node = lookup(dir);
        return node == null || !node.directory ? List.of() : new ArrayList<>(node.entries.keySet());
    }

    @Override
    public synchronized void move(Path from, Path to) throws IOException {
        alive();
        Node node = lookup(from);
        if (node == null) {
            throw new NoSuchFileException(from.toString());
        }
        mutate("rename " + from + " to " + to);
        parentOf(from).entries.remove(nameOf(from));
        parentOf(to).entries.put(nameOf(to), node);
    }

    @Override
    public synchronized void delete(Path path) throws IOException {
        alive();
        Node node = lookup(path);
        if (node == null) {
            return;
        }
        if (node.directory && !node.entries.isEmpty()) {
            throw new IOException("directory not empty: " + path);
        }
        mutate("delete " + path);
        parentOf(path).entries.remove(nameOf(path));
    }

    @Override
    public synchronized void syncDirectory(Path dir) throws IOException {
        alive();
        Node node = lookup(dir);
        if (node == null || !node.directory) {
            throw new NoSuchFileException(dir.toString());
        }
        mutate("fsync directory " + dir);
        node.durableEntries = new TreeMap<>(node.entries);
    }

    @Override
    public synchronized Closeable lockExclusively(Path lockFile) throws IOException {
        alive();
        if (locked) {
            throw new IOException("locked by another process: " + lockFile);
        }
        locked = true;
        return () -> {
            synchronized (MemoryStorage.this) {
                locked = false;
            }
        };
    }

    private final class MemoryFile implements StorageFile {
        private final Node node;
        private final Path path;
        private boolean closed;

        MemoryFile(Node node, Path path) {
            this.node = node;
            this.path = path;
        }

        private void check() throws IOException {
            alive();
            if (closed) {
                throw new IOException(path + " is closed");
            }
        }

        @Override
        public void readFully(ByteBuffer dst, long position) throws IOException {
            synchronized (MemoryStorage.this) {
                check();
                node.content.read(dst, position);
            }
        }

        @Override
        public void writeFully(ByteBuffer src, long position) throws IOException {
            synchronized (MemoryStorage.this) {
                check();
                if (position + src.remaining() > largestFile) {
                    throw new IOException("File too large");
                }
                long newPages = node.content.newPages(position, src.remaining());
                if (newPages > 0 && allocatedBytes() + newPages * PAGE > capacity) {
                    throw new IOException("No space left on device");
                }
                mutate("write " + path + " at " + position);
                node.content.write(src, position);
            }
        }

        @Override
        public long size() throws IOException {
            synchronized (MemoryStorage.this) {
                check();
                return node.content.length;
            }
        }

        @Override
        public void sync() throws IOException {
            synchronized (MemoryStorage.this) {
                check();
                mutate("fsync " + path);
                node.durableContent = node.content.copy();
            }
        }

        @Override
        public void punchHole(long position, long length) throws IOException {
            synchronized (MemoryStorage.this) {
                check();
                mutate("punch " + path);
                node.content.zero(position, length);
            }
        }

        @Override
        public void close() {
            synchronized (MemoryStorage.this) {
                closed = true;
            }
        }
    }
}
