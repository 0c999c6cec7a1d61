package io.strata.csi.node;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;

/**
 * The few system calls the node makes itself, through the FFM API (Linux x86-64 and arm64, glibc):
 * the loop device's size limit, which no util-linux program changes on a bound device, and
 * {@code statvfs}, whose inode counts Java's {@code FileStore} does not give.
 */
final class Native {

    /** {@code struct loop_info64} of {@code <linux/loop.h>}: 232 bytes, the size limit at offset 32. */
    private static final long LOOP_INFO64_SIZE = 232;
    private static final long LO_SIZELIMIT = 32;
    private static final long LOOP_SET_STATUS64 = 0x4C04;
    private static final long LOOP_GET_STATUS64 = 0x4C05;
    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 0x80000;
    /** glibc's {@code struct statvfs} on 64-bit Linux is 112 bytes; room is left for a larger one. */
    private static final long STATVFS_SIZE = 256;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option SAVE_ERRNO = Linker.Option.captureCallState("errno");

    private static final MethodHandle OPEN = LINKER.downcallHandle(LIBC.find("open").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT),
            SAVE_ERRNO, Linker.Option.firstVariadicArg(2));
    private static final MethodHandle CLOSE = LINKER.downcallHandle(LIBC.find("close").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle IOCTL = LINKER.downcallHandle(LIBC.find("ioctl").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS),
            SAVE_ERRNO, Linker.Option.firstVariadicArg(2));
    private static final MethodHandle STATVFS = LINKER.downcallHandle(LIBC.find("statvfs").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS), SAVE_ERRNO);
    private static final MethodHandle STRERROR = LINKER.downcallHandle(LIBC.find("strerror").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT));

    /** A file system's counts, as {@code statvfs(3)} gives them, in bytes and inodes. */
    record FsStats(long totalBytes, long freeBytes, long availableBytes, long totalInodes, long freeInodes) {}

    private Native() {}

    /** Sets a bound loop device's size limit; the kernel resizes the device and tells its users at once. */
    static void setLoopSizeLimit(Path device, long bytes) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            int fd = (int) OPEN.invokeExact(state, arena.allocateFrom(device.toString()), O_RDONLY | O_CLOEXEC);
            if (fd < 0) {
                throw failure("open " + device, state);
            }
            try {
                MemorySegment info = arena.allocate(LOOP_INFO64_SIZE, 8);
                if ((int) IOCTL.invokeExact(state, fd, LOOP_GET_STATUS64, info) < 0) {
                    throw failure("LOOP_GET_STATUS64 on " + device, state);
                }
                info.set(ValueLayout.JAVA_LONG, LO_SIZELIMIT, bytes);
                if ((int) IOCTL.invokeExact(state, fd, LOOP_SET_STATUS64, info) < 0) {
                    throw failure("LOOP_SET_STATUS64 (size limit " + bytes + ") on " + device, state);
                }
            } finally {
                int ignored = (int) CLOSE.invokeExact(fd);
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("calling into libc failed", t);
        }
    }

    /** {@code statvfs(path)}: bytes in fragment units, inodes as counted. */
    static FsStats statvfs(Path path) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            MemorySegment buf = arena.allocate(STATVFS_SIZE, 8);
            if ((int) STATVFS.invokeExact(state, arena.allocateFrom(path.toString()), buf) < 0) {
                throw failure("statvfs " + path, state);
            }
            long fragment = buf.get(ValueLayout.JAVA_LONG, 8);
            long blocks = buf.get(ValueLayout.JAVA_LONG, 16);
            long free = buf.get(ValueLayout.JAVA_LONG, 24);
            long available = buf.get(ValueLayout.JAVA_LONG, 32);
            long files = buf.get(ValueLayout.JAVA_LONG, 40);
            long freeFiles = buf.get(ValueLayout.JAVA_LONG, 48);
            return new FsStats(blocks * fragment, free * fragment, available * fragment, files, freeFiles);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("calling into libc failed", t);
        }
    }

    private static IOException failure(String what, MemorySegment state) throws Throwable {
        int errno = (int) ERRNO.get(state, 0L);
        MemorySegment text = (MemorySegment) STRERROR.invokeExact(errno);
        return new IOException(what + " failed: " + text.reinterpret(256).getString(0) + " (errno " + errno + ")");
    }
}
