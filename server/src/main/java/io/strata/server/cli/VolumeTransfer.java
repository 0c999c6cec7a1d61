package io.strata.server.cli;

import io.strata.domain.ByteSize;
import io.strata.domain.StrataException;
import io.strata.engine.BlockDevice;
import io.strata.engine.Extent;
import java.io.EOFException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Copies between a file and a block device without turning holes into data: 4 KiB blocks that are
 * entirely zero are never written as data. On import they are skipped where the volume already reads
 * as zero and zeroed (which allocates nothing) where it does not; on export they are not written at
 * all (the file is sized first, so they read as zeroes).
 */
final class VolumeTransfer {
    static final int BLOCK_SIZE = 4096;
    static final int CHUNK_SIZE = 1 << 20;
    private static final ByteBuffer ZEROES = ByteBuffer.allocateDirect(BLOCK_SIZE).asReadOnlyBuffer();

    private VolumeTransfer() {}

    /** What an import did: {@code bytes} read from the file, of which {@code dataBytes} were written as data. */
    record Imported(long bytes, long dataBytes) {
        long zeroBytes() {
            return bytes - dataBytes;
        }
    }

    /** What an export did: a file of {@code bytes}, of which {@code dataBytes} were written. */
    record Exported(long bytes, long dataBytes) {}

    /**
     * Writes the whole of {@code file} into {@code device} at {@code offset}, then flushes the device.
     *
     * @throws StrataException.OutOfRange when the file does not fit at that offset; nothing is written then
     */
    static Imported importFile(Path file, BlockDevice device, long offset) throws IOException {
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            long length = in.size();
            if (offset > device.size() || length > device.size() - offset) {
                throw new StrataException.OutOfRange("'" + file + "' (" + ByteSize.human(length) + ") at offset "
                        + offset + " does not fit in a volume of " + ByteSize.format(device.size())
                        + ": expand the volume first (strata volume expand NAME --size SIZE)");
            }
            ByteBuffer buffer = ByteBuffer.allocateDirect(CHUNK_SIZE);
            ZeroRange pendingZeroes = new ZeroRange(device);
            long dataBytes = 0;
            long done = 0;
            while (done < length) {
                long at = offset + done;
                // chunks end on block boundaries of the device, so a block is never split across two
                int n = (int) Math.min(CHUNK_SIZE - at % BLOCK_SIZE, length - done);
                buffer.clear().limit(n);
                readFully(in, buffer, done);
                int start = 0;
                while (start < n) {
                    boolean zero = isZeroBlock(buffer, start, n, at);
                    int end = runEnd(buffer, start, n, at, zero);
                    if (zero) {
                        pendingZeroes.add(at + start, end - start);
                    } else {
                        pendingZeroes.flush();
                        device.writeAt(buffer.slice(start, end - start), at + start);
                        dataBytes += end - start;
                    }
                    start = end;
                }
                done += n;
            }
            pendingZeroes.flush();
            device.flush();
            return new Imported(length, dataBytes);
        }
    }

    /**
     * Writes a sparse copy of {@code source} to {@code file}: the file is cut to {@code size} bytes
     * and only the non-zero blocks within {@code extents} are written; the rest are holes.
     */
    static Exported exportFile(BlockDevice source, List<Extent> extents, long size, Path file) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(0); // drops whatever the file held, so everything not written below is a hole
            raf.setLength(size);
            FileChannel out = raf.getChannel();
            ByteBuffer buffer = ByteBuffer.allocateDirect(CHUNK_SIZE);
            long dataBytes = 0;
            for (Extent extent : extents) {
                long end = Math.min(extent.end(), size);
                for (long at = extent.offset(); at < end; ) {
                    int n = (int) Math.min(CHUNK_SIZE - at % BLOCK_SIZE, end - at);
                    buffer.clear().limit(n);
                    source.readAt(buffer, at);
                    int start = 0;
                    while (start < n) {
                        boolean zero = isZeroBlock(buffer, start, n, at);
                        int runEnd = runEnd(buffer, start, n, at, zero);
                        if (!zero) {
                            writeFully(out, buffer.slice(start, runEnd - start), at + start);
                            dataBytes += runEnd - start;
                        }
                        start = runEnd;
                    }
                    at += n;
                }
            }
            out.force(true);
            return new Exported(size, dataBytes);
        }
    }

    /**
     * The end of the run of blocks from {@code start} that are all zero, or all hold data. Blocks are
     * the device's: {@code base} is the device offset of buffer index 0.
     */
    private static int runEnd(ByteBuffer buffer, int start, int limit, long base, boolean zero) {
        int end = blockEnd(start, limit, base);
        while (end < limit && isZeroBlock(buffer, end, limit, base) == zero) {
            end = blockEnd(end, limit, base);
        }
        return end;
    }

    private static int blockEnd(int start, int limit, long base) {
        return (int) Math.min(limit, start + BLOCK_SIZE - (base + start) % BLOCK_SIZE);
    }

    /** Whether the (possibly partial) device block at {@code start} is all zero. */
    private static boolean isZeroBlock(ByteBuffer buffer, int start, int limit, long base) {
        int length = blockEnd(start, limit, base) - start;
        return buffer.slice(start, length).mismatch(ZEROES.slice(0, length)) < 0;
    }

    private static void readFully(FileChannel in, ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            int n = in.read(buffer, at);
            if (n < 0) {
                throw new EOFException("file ended at byte " + at + " while reading it: was it truncated?");
            }
            at += n;
        }
    }

    private static void writeFully(FileChannel out, ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            at += out.write(buffer, at);
        }
    }

    /**
     * Zero blocks of the file, gathered while adjacent and zeroed with one call per run. A volume
     * changes nothing for blocks that already read as zeroes, so on a fresh volume they stay holes
     * and out of the next snapshot's changed ranges, while old data under them is still erased.
     */
    private static final class ZeroRange {
        private final BlockDevice device;
        private long offset;
        private long length;

        ZeroRange(BlockDevice device) {
            this.device = device;
        }

        void add(long at, long n) {
            if (length > 0 && offset + length != at) {
                throw new IllegalStateException("zero ranges must be adjacent");
            }
            if (length == 0) {
                offset = at;
            }
            length += n;
        }

        void flush() throws IOException {
            if (length > 0) {
                device.writeZeroes(offset, length);
                length = 0;
            }
        }
    }
}
