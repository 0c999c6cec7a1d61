package io.strata.backupstore.format;

import io.strata.domain.StrataException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import net.jpountz.lz4.LZ4FrameInputStream;
import net.jpountz.lz4.LZ4FrameOutputStream;

/**
 * How each block is compressed on its own, by the name Longhorn stores in {@code CompressionMethod}:
 * {@code lz4} as an LZ4 <em>frame</em> (4 MB blocks, independent, content checksum, as Longhorn's
 * writer does), {@code gzip} as an RFC 1952 stream, {@code none} as the raw bytes.
 *
 * <p>Reading follows Longhorn: an empty method means gzip, and a block that is not in the stated
 * format (gzip without its magic, lz4 without its magic) is tried in the other one. Output is bounded
 * by the block size: more bytes than that is corruption, not data.
 */
public enum Compression {
    NONE("none"),
    GZIP("gzip"),
    LZ4("lz4");

    private static final int GZIP_MAGIC = 0x8b1f;
    private static final int LZ4_MAGIC = 0x184D2204;

    private final String method;

    Compression(String method) {
        this.method = method;
    }

    /** The name in {@code volume.cfg} and backup cfgs. */
    public String method() {
        return method;
    }

    /** The compression a cfg names; an empty or missing method is gzip, Longhorn's original one. */
    public static Compression fromMethod(String method) {
        if (method == null || method.isEmpty()) {
            return GZIP;
        }
        for (Compression c : values()) {
            if (c.method.equals(method.toLowerCase(Locale.ROOT))) {
                return c;
            }
        }
        throw new StrataException.InvalidArgument("unknown compression method '" + method + "': use lz4, gzip or none");
    }

    public byte[] compress(byte[] data, int offset, int length) {
        if (this == NONE) {
            return java.util.Arrays.copyOfRange(data, offset, offset + length);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, length / 2));
        try (OutputStream stream = this == GZIP ? new GZIPOutputStream(out, 64 * 1024)
                : new LZ4FrameOutputStream(out, LZ4FrameOutputStream.BLOCKSIZE.SIZE_4MB,
                        LZ4FrameOutputStream.FLG.Bits.BLOCK_INDEPENDENCE, LZ4FrameOutputStream.FLG.Bits.CONTENT_CHECKSUM)) {
            stream.write(data, offset, length);
        } catch (IOException e) {
            throw new UncheckedIOException("compressing in memory cannot fail", e);
        }
        return out.toByteArray();
    }

    public byte[] compress(byte[] data) {
        return compress(data, 0, data.length);
    }

    /**
     * Decompresses one stored block of at most {@code maxSize} bytes.
     *
     * @throws StrataException.Corrupt when the bytes are in no format this method accepts, fail the
     *         format's own checks, or hold more than {@code maxSize} bytes
     */
    public byte[] decompress(byte[] stored, int maxSize) {
        Compression actual = this;
        if (this == GZIP && !hasGzipMagic(stored) && hasLz4Magic(stored)) {
            actual = LZ4;
        } else if (this == LZ4 && !hasLz4Magic(stored) && hasGzipMagic(stored)) {
            actual = GZIP;
        }
        if (actual == NONE) {
            if (stored.length > maxSize) {
                throw new StrataException.Corrupt("an uncompressed block holds " + stored.length + " bytes, more than the block size " + maxSize);
            }
            return stored;
        }
        try (InputStream in = actual == GZIP ? new GZIPInputStream(new ByteArrayInputStream(stored))
                : new LZ4FrameInputStream(new ByteArrayInputStream(stored))) {
            byte[] out = in.readNBytes(maxSize);
            if (in.read() != -1) {
                throw new StrataException.Corrupt("a " + actual.method + " block decompresses to more than the block size " + maxSize);
            }
            return out;
        } catch (IOException | RuntimeException e) {
            if (e instanceof StrataException strata) {
                throw strata;
            }
            throw new StrataException.Corrupt("a block does not decompress as " + actual.method + ": " + e.getMessage(), e);
        }
    }

    private static boolean hasGzipMagic(byte[] data) {
        return data.length >= 2 && ((data[0] & 0xff) | (data[1] & 0xff) << 8) == GZIP_MAGIC;
    }

    private static boolean hasLz4Magic(byte[] data) {
        return data.length >= 4 && ((data[0] & 0xff) | (data[1] & 0xff) << 8 | (data[2] & 0xff) << 16 | (data[3] & 0xff) << 24) == LZ4_MAGIC;
    }
}
