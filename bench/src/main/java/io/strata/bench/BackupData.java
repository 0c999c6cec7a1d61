package io.strata.bench;

import io.strata.engine.BlockDevice;
import io.strata.engine.Extent;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;

/**
 * The backup benchmark's data: seeded random bytes (incompressible), seeded text-like bytes
 * (compressible about as prose is), and the cheap checksum that proves a restore gave back what was
 * backed up. Nothing here repeats, so neither Strata's block deduplication nor restic's chunk
 * deduplication finds anything to skip but what is really identical.
 */
final class BackupData {
    static final int CHUNK = 1 << 20;
    private static final int WORDS = 2048;
    private static final int LINE = 72;

    private BackupData() {}

    /** Writes seeded random bytes to {@code [offset, offset + length)} in 1 MiB writes. */
    static void writeRandom(BlockDevice device, long offset, long length, long seed) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        ByteBuffer buffer = ByteBuffer.allocateDirect(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
        for (long at = offset; at < offset + length; at += CHUNK) {
            int n = (int) Math.min(CHUNK, offset + length - at);
            fillRandom(buffer.clear().limit(n), random);
            device.writeAt(buffer.flip(), at);
        }
    }

    /** Fills {@code buffer} from its position to its limit with random bytes; its position ends at its limit. */
    static void fillRandom(ByteBuffer buffer, SplittableRandom random) {
        while (buffer.remaining() >= 8) {
            buffer.putLong(random.nextLong());
        }
        while (buffer.hasRemaining()) {
            buffer.put((byte) random.nextInt());
        }
    }

    /** Writes seeded text-like bytes to {@code [offset, offset + length)} in 1 MiB writes. */
    static void writeText(BlockDevice device, long offset, long length, long seed) throws IOException {
        Text text = new Text(seed);
        byte[] chunk = new byte[CHUNK];
        for (long at = offset; at < offset + length; at += CHUNK) {
            int n = (int) Math.min(CHUNK, offset + length - at);
            text.fill(chunk, n);
            device.writeAt(ByteBuffer.wrap(chunk, 0, n), at);
        }
    }

    /**
     * Lines of about 72 characters of words drawn from a vocabulary of 2,048 made-up lowercase words
     * (2 to 11 letters), skewed so that a few words are frequent, as in prose; sentences end with a
     * full stop. {@code lz4 -1} stores it in 57% of its size, {@code zstd -1} in 34%.
     */
    static final class Text {
        private final byte[][] words = new byte[WORDS][];
        private final SplittableRandom random;
        private int column;

        Text(long seed) {
            SplittableRandom vocabulary = new SplittableRandom(seed ^ 0x5DEECE66DL);
            for (int w = 0; w < WORDS; w++) {
                byte[] word = new byte[2 + vocabulary.nextInt(10)];
                for (int i = 0; i < word.length; i++) {
                    word[i] = (byte) ('a' + vocabulary.nextInt(26));
                }
                words[w] = word;
            }
            this.random = new SplittableRandom(seed);
        }

        /** Fills {@code out[0, length)}; the text runs on from one call to the next. */
        void fill(byte[] out, int length) {
            int at = 0;
            while (at < length) {
                double u = random.nextDouble();
                byte[] word = words[(int) (u * u * u * WORDS)];
                int n = Math.min(word.length, length - at);
                System.arraycopy(word, 0, out, at, n);
                at += n;
                column += n;
                if (at < length) {
                    if (column >= LINE) {
                        out[at++] = '\n';
                        column = 0;
                    } else if (random.nextInt(12) == 0 && at + 1 < length) {
                        out[at++] = '.';
                        out[at++] = ' ';
                        column += 2;
                    } else {
                        out[at++] = ' ';
                        column++;
                    }
                }
            }
        }
    }

    /** CRC32C of the device's whole content, holes read as zeroes. */
    static long crc32c(BlockDevice device) throws IOException {
        CRC32C crc = new CRC32C();
        ByteBuffer buffer = ByteBuffer.allocateDirect(CHUNK);
        for (long at = 0; at < device.size(); at += CHUNK) {
            buffer.clear().limit((int) Math.min(CHUNK, device.size() - at));
            device.readAt(buffer, at);
            crc.update(buffer.flip());
        }
        return crc.getValue();
    }

    /** CRC32C of a file's whole content. */
    static long crc32c(Path file) throws IOException {
        CRC32C crc = new CRC32C();
        ByteBuffer buffer = ByteBuffer.allocateDirect(CHUNK);
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            while (in.read(buffer.clear()) >= 0) {
                crc.update(buffer.flip());
            }
        }
        return crc.getValue();
    }

    /**
     * Exports a device as one file of its size: its allocated extents written, everything else left a
     * hole (read as zeroes). Returns the bytes written.
     */
    static long export(BlockDevice device, List<Extent> extents, Path file) throws IOException {
        long written = 0;
        ByteBuffer buffer = ByteBuffer.allocateDirect(CHUNK);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"); FileChannel out = raf.getChannel()) {
            for (Extent extent : extents) {
                for (long at = extent.offset(); at < extent.offset() + extent.length(); at += CHUNK) {
                    buffer.clear().limit((int) Math.min(CHUNK, extent.offset() + extent.length() - at));
                    device.readAt(buffer, at);
                    buffer.flip();
                    long pos = at;
                    while (buffer.hasRemaining()) {
                        pos += out.write(buffer, pos);
                    }
                    written += buffer.limit();
                }
            }
            raf.setLength(device.size()); // the tail past the last extent becomes a hole
            out.force(true);
        }
        return written;
    }

    /** Copies the device's allocated extents back to back into one file: the data a backup cannot skip. */
    static void exportData(BlockDevice device, List<Extent> extents, Path file) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocateDirect(CHUNK);
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (Extent extent : extents) {
                for (long at = extent.offset(); at < extent.offset() + extent.length(); at += CHUNK) {
                    buffer.clear().limit((int) Math.min(CHUNK, extent.offset() + extent.length() - at));
                    device.readAt(buffer, at);
                    buffer.flip();
                    while (buffer.hasRemaining()) {
                        out.write(buffer);
                    }
                }
            }
            out.force(true);
        }
    }
}
