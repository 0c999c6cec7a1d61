package io.strata.backupstore.format;

import io.strata.domain.StrataException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;
import net.jpountz.xxhash.XXHash32;
import net.jpountz.xxhash.XXHashFactory;

/**
 * The LZ4 frame format (lz4_Frame_format.md, version 1.6), written and read in one pass over byte
 * arrays with lz4-java's block API, so that a block costs no buffers beyond the caller's.
 *
 * <p>Frames are written as Longhorn's writer (pierrec/lz4 v4, default options) writes them, and as
 * lz4-java's {@code LZ4FrameOutputStream} does with block independence and content checksum: FLG
 * {@code 0x64} (version 1, independent blocks, content checksum), BD {@code 0x70} (blocks of at most
 * 4 MB), no content size, no block checksums; a block that does not shrink is stored with the
 * "uncompressed" bit. The reader takes what the {@code lz4} tool and other writers produce as well:
 * concatenated and skippable frames, block checksums, a content size, any maximum block size. It
 * refuses frames whose blocks depend on earlier ones or that need a dictionary, which neither writer
 * produces by default.
 */
final class Lz4Frame {
    static final int MAGIC = 0x184D2204;
    private static final int SKIPPABLE_MAGIC = 0x184D2A50; // low four bits are free
    private static final int MAX_BLOCK = 4 << 20;
    private static final byte FLG = 0x64;
    private static final byte BD = 0x70;
    private static final int HEADER = 7;
    private static final int UNCOMPRESSED = 0x80000000;

    private static final LZ4Compressor COMPRESSOR = LZ4Factory.fastestInstance().fastCompressor();
    private static final LZ4SafeDecompressor DECOMPRESSOR = LZ4Factory.fastestInstance().safeDecompressor();
    private static final XXHash32 XXHASH = XXHashFactory.fastestInstance().hash32();
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private Lz4Frame() {}

    /** Room {@link #write} needs for {@code length} bytes of content: the header, each block's worst case, end mark, checksum. */
    static int maxFrameLength(int length) {
        int blocks = length / MAX_BLOCK;
        int rest = length % MAX_BLOCK;
        long max = HEADER + 8L + (long) blocks * (4 + COMPRESSOR.maxCompressedLength(MAX_BLOCK))
                + (rest > 0 ? 4 + COMPRESSOR.maxCompressedLength(rest) : 0);
        if (max > Integer.MAX_VALUE - 16) {
            throw new StrataException.InvalidArgument("a block of " + length + " bytes is too large for one LZ4 frame in memory");
        }
        return (int) max;
    }

    /**
     * Writes one frame holding {@code src[offset, offset + length)} at the start of {@code dst}, which
     * must have room for {@link #maxFrameLength}; returns the frame's length.
     */
    static int write(byte[] src, int offset, int length, byte[] dst) {
        INT.set(dst, 0, MAGIC);
        dst[4] = FLG;
        dst[5] = BD;
        dst[6] = headerChecksum(dst, 4, 2);
        int at = HEADER;
        for (int done = 0; done < length; done += MAX_BLOCK) {
            int n = Math.min(MAX_BLOCK, length - done);
            int compressed = COMPRESSOR.compress(src, offset + done, n, dst, at + 4, dst.length - at - 4);
            if (compressed < n) {
                INT.set(dst, at, compressed);
                at += 4 + compressed;
            } else {
                INT.set(dst, at, n | UNCOMPRESSED);
                System.arraycopy(src, offset + done, dst, at + 4, n);
                at += 4 + n;
            }
        }
        INT.set(dst, at, 0); // end mark
        INT.set(dst, at + 4, XXHASH.hash(src, offset, length, 0));
        return at + 8;
    }

    static boolean hasMagic(byte[] data) {
        return data.length >= 4 && (int) INT.get(data, 0) == MAGIC;
    }

    /**
     * Decompresses the frames of {@code src} into {@code dst}; returns the bytes of content.
     *
     * @throws StrataException.Corrupt when {@code src} is not LZ4 frames, fails their checksums, or
     *         holds more than {@code dst.length} bytes
     */
    static int read(byte[] src, byte[] dst) {
        int at = 0;
        int out = 0;
        do {
            need(src, at, 4);
            int magic = (int) INT.get(src, at);
            if ((magic & 0xFFFFFFF0) == SKIPPABLE_MAGIC) {
                need(src, at + 4, 4);
                long skip = Integer.toUnsignedLong((int) INT.get(src, at + 4));
                need(src, at + 8, skip);
                at += 8 + (int) skip;
                continue;
            }
            if (magic != MAGIC) {
                throw corrupt(String.format("no LZ4 frame magic at byte %d (found 0x%08x)", at, magic));
            }
            need(src, at + 4, 3);
            int flg = src[at + 4] & 0xFF;
            int bd = src[at + 5] & 0xFF;
            if (flg >>> 6 != 1) {
                throw corrupt("LZ4 frame version " + (flg >>> 6) + " is not version 1");
            }
            if ((flg & 0x02) != 0 || (bd & 0x8F) != 0) {
                throw corrupt("reserved bits are set in the LZ4 frame descriptor");
            }
            boolean blockChecksums = (flg & 0x10) != 0;
            boolean contentSize = (flg & 0x08) != 0;
            boolean contentChecksum = (flg & 0x04) != 0;
            int maxBlock = switch (bd >>> 4) {
                case 4 -> 64 << 10;
                case 5 -> 256 << 10;
                case 6 -> 1 << 20;
                case 7 -> 4 << 20;
                default -> throw corrupt("LZ4 frame block size code " + (bd >>> 4) + " is not 4 to 7");
            };
            int descriptor = 2 + (contentSize ? 8 : 0) + ((flg & 0x01) != 0 ? 4 : 0);
            need(src, at + 4, descriptor + 1);
            if (src[at + 4 + descriptor] != headerChecksum(src, at + 4, descriptor)) {
                throw corrupt("the LZ4 frame descriptor does not match its checksum");
            }
            if ((flg & 0x20) == 0) {
                throw corrupt("LZ4 frames whose blocks depend on earlier blocks are not supported (write them with"
                        + " independent blocks, lz4 -BI)");
            }
            if ((flg & 0x01) != 0) {
                throw corrupt("the LZ4 frame needs a dictionary, which a backup block cannot have");
            }
            long declaredSize = contentSize ? (long) LONG.get(src, at + 6) : -1;
            at += 4 + descriptor + 1;
            int frameStart = out;
            while (true) {
                need(src, at, 4);
                int word = (int) INT.get(src, at);
                at += 4;
                if (word == 0) {
                    break;
                }
                int n = word & ~UNCOMPRESSED;
                if (n > maxBlock) {
                    throw corrupt("an LZ4 block of " + n + " bytes is larger than the frame's maximum " + maxBlock);
                }
                need(src, at, n + (blockChecksums ? 4L : 0));
                if (blockChecksums && XXHASH.hash(src, at, n, 0) != (int) INT.get(src, at + n)) {
                    throw corrupt("an LZ4 block does not match its checksum");
                }
                out += (word & UNCOMPRESSED) != 0 ? copy(src, at, n, dst, out) : decompress(src, at, n, dst, out, maxBlock);
                at += n + (blockChecksums ? 4 : 0);
            }
            if (contentChecksum) {
                need(src, at, 4);
                if (XXHASH.hash(dst, frameStart, out - frameStart, 0) != (int) INT.get(src, at)) {
                    throw corrupt("the LZ4 frame's content does not match its checksum");
                }
                at += 4;
            }
            if (declaredSize >= 0 && declaredSize != out - frameStart) {
                throw corrupt("the LZ4 frame declares " + declaredSize + " bytes of content but holds " + (out - frameStart));
            }
        } while (at < src.length);
        return out;
    }

    private static int copy(byte[] src, int at, int n, byte[] dst, int out) {
        if (n > dst.length - out) {
            throw tooLarge(dst.length);
        }
        System.arraycopy(src, at, dst, out, n);
        return n;
    }

    private static int decompress(byte[] src, int at, int n, byte[] dst, int out, int maxBlock) {
        int room = dst.length - out;
        try {
            return DECOMPRESSOR.decompress(src, at, n, dst, out, Math.min(room, maxBlock));
        } catch (LZ4Exception e) {
            if (room < maxBlock) {
                // lz4 cannot tell "damaged" from "does not fit": say both
                throw corrupt("an LZ4 block does not decompress into the " + room + " bytes left of the block size "
                        + dst.length + ": it is damaged or holds more than the block size");
            }
            throw corrupt("an LZ4 block is damaged: " + e.getMessage());
        }
    }

    private static byte headerChecksum(byte[] data, int offset, int length) {
        return (byte) (XXHASH.hash(data, offset, length, 0) >>> 8);
    }

    private static void need(byte[] src, int at, long n) {
        if (at < 0 || at + n > src.length) {
            throw corrupt("the LZ4 frame is cut short at byte " + src.length);
        }
    }

    private static StrataException.Corrupt corrupt(String message) {
        return new StrataException.Corrupt(message);
    }

    private static StrataException.Corrupt tooLarge(int maxSize) {
        return new StrataException.Corrupt("an LZ4 frame decompresses to more than the block size " + maxSize);
    }
}
