package io.strata.engine.storage;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

/**
 * {@code fallocate(PUNCH_HOLE)} and {@code posix_fadvise(DONTNEED)} through the FFM API, which the
 * JDK's file API lacks. Both are optimisations: releasing the space of discarded blocks, and the
 * page cache a bulk writer filled. Where a call is unavailable or unsupported by the file system,
 * it quietly does nothing.
 */
final class NativeFiles {
    private static final int O_RDWR = 2;
    private static final int O_CLOEXEC = 0x80000;
    private static final int FALLOC_FL_KEEP_SIZE = 0x01;
    private static final int FALLOC_FL_PUNCH_HOLE = 0x02;
    private static final int POSIX_FADV_DONTNEED = 4;

    private static final MethodHandle OPEN;
    private static final MethodHandle CLOSE;
    private static final MethodHandle FALLOCATE;
    private static final MethodHandle FADVISE;

    static {
        MethodHandle open = null;
        MethodHandle close = null;
        MethodHandle fallocate = null;
        MethodHandle fadvise = null;
        try {
            Linker linker = Linker.nativeLinker();
            SymbolLookup libc = linker.defaultLookup();
            open = linker.downcallHandle(libc.find("open").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT),
                    Linker.Option.firstVariadicArg(2));
            close = linker.downcallHandle(libc.find("close").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
            fallocate = linker.downcallHandle(libc.find("fallocate").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                            ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
            fadvise = linker.downcallHandle(libc.find("posix_fadvise").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG,
                            ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
        } catch (Throwable unavailable) {
            open = null;
        }
        OPEN = open;
        CLOSE = close;
        FALLOCATE = fallocate;
        FADVISE = fadvise;
    }

    private NativeFiles() {}

    /** A second descriptor of a file, used only for hints (punching holes, dropping cached pages); null when that is not possible. */
    static Descriptor openForPunching(Path path) {
        if (OPEN == null) {
            return null;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cPath = arena.allocateFrom(path.toAbsolutePath().toString());
            int fd = (int) OPEN.invokeExact(cPath, O_RDWR | O_CLOEXEC);
            return fd < 0 ? null : new Descriptor(fd);
        } catch (Throwable e) {
            return null;
        }
    }

    static final class Descriptor {
        private final int fd;
        private volatile boolean supported = true;
        private volatile boolean advisable = true;
        private volatile boolean closed;

        private Descriptor(int fd) {
            this.fd = fd;
        }

        void punchHole(long position, long length) throws IOException {
            if (!supported || closed) {
                return;
            }
            try {
                int rc = (int) FALLOCATE.invokeExact(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, position, length);
                if (rc != 0) {
                    supported = false; // EOPNOTSUPP and friends: keep the data, stop trying
                }
            } catch (Throwable e) {
                supported = false;
            }
        }

        /**
         * Drops the file's clean pages from the page cache (the cache belongs to the file, so this
         * descriptor's advice covers writes made through any other). Dirty pages stay until written back.
         */
        void dropCache() {
            if (!advisable || closed || FADVISE == null) {
                return;
            }
            try {
                int rc = (int) FADVISE.invokeExact(fd, 0L, 0L, POSIX_FADV_DONTNEED);
                if (rc != 0) {
                    advisable = false;
                }
            } catch (Throwable e) {
                advisable = false;
            }
        }

        void close() {
            if (!closed) {
                closed = true;
                try {
                    int ignored = (int) CLOSE.invokeExact(fd);
                } catch (Throwable ignored) {
                    // nothing more to do for a descriptor we only used for hints
                }
            }
        }
    }
}
