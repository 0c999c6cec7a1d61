package io.strata.backupstore.format;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdException;
import io.strata.domain.StrataException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * How each block is compressed on its own, by the name stored in {@code CompressionMethod}:
 * {@code lz4} as an LZ4 <em>frame</em> (4 MB blocks, independent, content checksum, as Longhorn's
 * writer does; see {@link Lz4Frame}), {@code gzip} as an RFC 1952 stream, {@code none} as the raw
 * bytes. Those three are Longhorn's.
 *
 * <p>{@code zstd} is a <b>Strata extension that Longhorn cannot read</b>: each block is one standard
 * zstd frame (RFC 8878) at level 1, with its content size and content checksum, which the
 * {@code zstd} tool reads. A backup volume created with it can be restored by Strata only.
 *
 * <p>Reading follows Longhorn: an empty method means gzip, and a block that is not in the stated
 * format (gzip without its magic, lz4 without its magic) is tried in the format its magic names.
 * Output is bounded by the block size: more bytes than that is corruption, not data.
 *
 * <p>The methods that return arrays allocate only the result; the ones that take a destination
 * allocate nothing for lz4 and zstd. All are safe for concurrent use.
 */
public enum Compression {
    NONE("none"),
    GZIP("gzip"),
    LZ4("lz4"),
    /** Strata's own: Longhorn cannot read it. */
    ZSTD("zstd");

    /** zstd's level: its fastest regular one, at about lz4's cost per byte with a better ratio. */
    public static final int ZSTD_LEVEL = 1;
    private static final int GZIP_MAGIC = 0x8b1f;
    private static final int ZSTD_MAGIC = 0xFD2FB528;
    /** Room for compressed output, per thread, grown to the largest block seen. */
    private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[0]);

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
        throw new StrataException.InvalidArgument("unknown compression method '" + method + "': use lz4, gzip, zstd"
                + " (Strata only: Longhorn cannot read it) or none");
    }

    /** The stored form of {@code data[offset, offset + length)}, in an array of exactly its size. */
    public byte[] compress(byte[] data, int offset, int length) {
        return switch (this) {
            case NONE -> Arrays.copyOfRange(data, offset, offset + length);
            case GZIP -> gzip(data, offset, length);
            case LZ4 -> {
                byte[] scratch = scratch(Lz4Frame.maxFrameLength(length));
                yield Arrays.copyOf(scratch, Lz4Frame.write(data, offset, length, scratch));
            }
            case ZSTD -> {
                byte[] scratch = scratch((int) Math.min(Integer.MAX_VALUE - 16, Zstd.compressBound(length)));
                long n = Zstd.compressByteArray(scratch, 0, scratch.length, data, offset, length, ZSTD_LEVEL, true);
                if (Zstd.isError(n)) {
                    throw new IllegalStateException("zstd could not compress a block of " + length + " bytes: "
                            + Zstd.getErrorName(n));
                }
                yield Arrays.copyOf(scratch, (int) n);
            }
        };
    }

    public byte[] compress(byte[] data) {
        return compress(data, 0, data.length);
    }

    /**
     * Decompresses one stored block of at most {@code maxSize} bytes into a new array of its size.
     *
     * @throws StrataException.Corrupt when the bytes are in no format this method accepts, fail the
     *         format's own checks, or hold more than {@code maxSize} bytes
     */
    public byte[] decompress(byte[] stored, int maxSize) {
        if (format(stored) == NONE) {
            checkRaw(stored, maxSize);
            return stored;
        }
        byte[] out = new byte[maxSize];
        int n = decompress(stored, out);
        return n == maxSize ? out : Arrays.copyOf(out, n);
    }

    /**
     * Decompresses one stored block into {@code into}, whose length is the most the block may hold;
     * returns the block's length.
     *
     * @throws StrataException.Corrupt as {@link #decompress(byte[], int)}
     */
    public int decompress(byte[] stored, byte[] into) {
        return switch (format(stored)) {
            case NONE -> {
                checkRaw(stored, into.length);
                System.arraycopy(stored, 0, into, 0, stored.length);
                yield stored.length;
            }
            case GZIP -> gunzip(stored, into);
            case LZ4 -> {
                try {
                    yield Lz4Frame.read(stored, into);
                } catch (StrataException.Corrupt e) {
                    throw new StrataException.Corrupt("a block does not decompress as lz4: " + e.getMessage(), e);
                }
            }
            case ZSTD -> unzstd(stored, into);
        };
    }

    /** The format the stored bytes are in: the stated one, unless they lack its magic and carry another's. */
    private Compression format(byte[] stored) {
        if (this == NONE || hasMagic(stored)) {
            return this;
        }
        for (Compression other : values()) {
            if (other != NONE && other != this && other.hasMagic(stored)) {
                return other;
            }
        }
        return this;
    }

    private boolean hasMagic(byte[] data) {
        return switch (this) {
            case NONE -> true;
            case GZIP -> data.length >= 2 && ((data[0] & 0xff) | (data[1] & 0xff) << 8) == GZIP_MAGIC;
            case LZ4 -> Lz4Frame.hasMagic(data);
            case ZSTD -> data.length >= 4 && ((data[0] & 0xff) | (data[1] & 0xff) << 8 | (data[2] & 0xff) << 16
                    | (data[3] & 0xff) << 24) == ZSTD_MAGIC;
        };
    }

    private static void checkRaw(byte[] stored, int maxSize) {
        if (stored.length > maxSize) {
            throw new StrataException.Corrupt("an uncompressed block holds " + stored.length + " bytes, more than the block size "
                    + maxSize);
        }
    }

    private static byte[] scratch(int size) {
        byte[] scratch = SCRATCH.get();
        if (scratch.length < size) {
            scratch = new byte[size];
            SCRATCH.set(scratch);
        }
        return scratch;
    }

    private static byte[] gzip(byte[] data, int offset, int length) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, length / 2));
        try (GZIPOutputStream stream = new GZIPOutputStream(out, 64 * 1024)) {
            stream.write(data, offset, length);
        } catch (IOException e) {
            throw new UncheckedIOException("compressing in memory cannot fail", e);
        }
        return out.toByteArray();
    }

    private static int gunzip(byte[] stored, byte[] into) {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(stored))) {
            int n = in.readNBytes(into, 0, into.length);
            if (in.read() != -1) {
                throw new StrataException.Corrupt("a gzip block decompresses to more than the block size " + into.length);
            }
            return n;
        } catch (IOException e) {
            throw new StrataException.Corrupt("a block does not decompress as gzip: " + e.getMessage(), e);
        }
    }

    private static int unzstd(byte[] stored, byte[] into) {
        long content = Zstd.getFrameContentSize(stored);
        if (content > into.length) {
            throw new StrataException.Corrupt("a zstd block decompresses to more than the block size " + into.length);
        }
        long error;
        String message;
        try {
            long n = Zstd.decompressByteArray(into, 0, into.length, stored, 0, stored.length);
            if (!Zstd.isError(n)) {
                return (int) n;
            }
            error = Zstd.getErrorCode(n);
            message = Zstd.getErrorName(n);
        } catch (ZstdException e) { // zstd-jni throws some errors and returns others
            error = e.getErrorCode();
            message = e.getMessage();
        }
        if (error == Zstd.errDstSizeTooSmall()) {
            throw new StrataException.Corrupt("a zstd block decompresses to more than the block size " + into.length);
        }
        throw new StrataException.Corrupt("a block does not decompress as zstd: " + message);
    }
}
