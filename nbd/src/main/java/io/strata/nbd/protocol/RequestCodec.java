package io.strata.nbd.protocol;

import java.nio.ByteBuffer;

/**
 * Bytes of transmission requests, both ways. {@link #decode} takes a buffer holding whatever has
 * arrived: it returns {@code null} and consumes nothing while a request (header and payload) is
 * incomplete, and consumes exactly one request when it is whole. A server that reads large
 * payloads straight into their own buffer uses {@link #decodeHeader} and {@link #request} instead.
 *
 * <p>A bad magic, an unknown command or a READ or WRITE over {@link Protocol#MAX_PAYLOAD} throws
 * {@link MalformedFrameException}: the stream can no longer be trusted. Bad flags on a known
 * command decode as {@link Request.Invalid}, to be answered with {@code EINVAL}.
 */
public final class RequestCodec {
    private RequestCodec() {}

    private static final int FUA = Protocol.CMD_FLAG_FUA;
    private static final int KNOWN_FLAGS = Protocol.CMD_FLAG_FUA | Protocol.CMD_FLAG_NO_HOLE | Protocol.CMD_FLAG_DF
            | Protocol.CMD_FLAG_REQ_ONE | Protocol.CMD_FLAG_FAST_ZERO;

    /** One whole request, or {@code null} while incomplete. */
    public static Request decode(ByteBuffer in) throws MalformedFrameException {
        int start = in.position();
        RequestHeader header = decodeHeader(in);
        if (header == null) {
            return null;
        }
        int payload = header.payloadLength();
        if (in.remaining() < payload) {
            in.position(start);
            return null;
        }
        ByteBuffer data = in.slice(in.position(), payload);
        in.position(in.position() + payload);
        return request(header, data);
    }

    /** The 28-byte header, or {@code null} (nothing consumed) while fewer bytes have arrived. */
    public static RequestHeader decodeHeader(ByteBuffer in) throws MalformedFrameException {
        if (in.remaining() < Protocol.REQUEST_HEADER) {
            return null;
        }
        int p = in.position();
        int magic = in.getInt(p);
        if (magic != Protocol.REQUEST_MAGIC) {
            throw new MalformedFrameException(String.format("request magic 0x%08x is not 0x%08x", magic, Protocol.REQUEST_MAGIC));
        }
        int flags = Short.toUnsignedInt(in.getShort(p + 4));
        int command = Short.toUnsignedInt(in.getShort(p + 6));
        long handle = in.getLong(p + 8);
        long offset = in.getLong(p + 16);
        long length = Integer.toUnsignedLong(in.getInt(p + 24));
        if (command > Request.BLOCK_STATUS) {
            throw new MalformedFrameException("unknown command " + command);
        }
        if ((command == Request.READ || command == Request.WRITE) && length > Protocol.MAX_PAYLOAD) {
            throw new MalformedFrameException((command == Request.READ ? "READ" : "WRITE") + " of " + length
                    + " bytes is over the maximum of " + Protocol.MAX_PAYLOAD);
        }
        in.position(p + Protocol.REQUEST_HEADER);
        return new RequestHeader(flags, command, handle, offset, length);
    }

    /** The request of a header and its payload ({@code payload} is kept as it is, not copied). */
    public static Request request(RequestHeader h, ByteBuffer payload) {
        long handle = h.handle();
        int allowed = switch (h.command()) {
            case Request.READ -> FUA | Protocol.CMD_FLAG_DF;
            case Request.WRITE_ZEROES -> FUA | Protocol.CMD_FLAG_NO_HOLE | Protocol.CMD_FLAG_FAST_ZERO;
            case Request.BLOCK_STATUS -> FUA | Protocol.CMD_FLAG_REQ_ONE;
            default -> FUA; // FUA is valid on every command, a no-op where nothing is written
        };
        int flags = h.flags();
        if ((flags & ~allowed) != 0) {
            String which = (flags & ~KNOWN_FLAGS) != 0 ? "unknown flags" : "flags not valid for this command";
            return new Request.Invalid(handle, h.command(), String.format("%s 0x%04x on command %d", which, flags & ~allowed, h.command()));
        }
        boolean fua = (flags & FUA) != 0;
        if (h.command() == Request.FLUSH) {
            return h.offset() != 0 || h.length() != 0
                    ? new Request.Invalid(handle, h.command(), "FLUSH must have offset and length 0")
                    : new Request.Flush(handle);
        }
        if (h.command() == Request.DISC) {
            return new Request.Disconnect(handle);
        }
        if (h.length() == 0) {
            return new Request.Invalid(handle, h.command(), "a request of length 0");
        }
        if (h.offset() < 0) {
            return new Request.Invalid(handle, h.command(), "offset " + Long.toUnsignedString(h.offset()) + " is over 2^63");
        }
        return switch (h.command()) {
            case Request.READ -> new Request.Read(handle, h.offset(), (int) h.length(), fua, (flags & Protocol.CMD_FLAG_DF) != 0);
            case Request.WRITE -> new Request.Write(handle, h.offset(), payload, fua);
            case Request.TRIM -> new Request.Trim(handle, h.offset(), h.length(), fua);
            case Request.CACHE -> new Request.Cache(handle, h.offset(), h.length());
            case Request.WRITE_ZEROES -> new Request.WriteZeroes(handle, h.offset(), h.length(), fua,
                    (flags & Protocol.CMD_FLAG_NO_HOLE) != 0, (flags & Protocol.CMD_FLAG_FAST_ZERO) != 0);
            case Request.BLOCK_STATUS -> new Request.BlockStatus(handle, h.offset(), h.length(), (flags & Protocol.CMD_FLAG_REQ_ONE) != 0);
            default -> throw new IllegalArgumentException("command " + h.command() + " was not checked by decodeHeader");
        };
    }

    /** The bytes of a request, as a client sends it. {@link Request.Invalid} cannot be encoded. */
    public static ByteBuffer encode(Request request) {
        return switch (request) {
            case Request.Read r -> header(flag(r.fua(), FUA) | flag(r.dontFragment(), Protocol.CMD_FLAG_DF), Request.READ,
                    r.handle(), r.offset(), r.length(), 0).flip();
            case Request.Write w -> header(flag(w.fua(), FUA), Request.WRITE, w.handle(), w.offset(), w.length(), w.length())
                    .put(w.data().duplicate()).flip();
            case Request.Disconnect d -> header(0, Request.DISC, d.handle(), 0, 0, 0).flip();
            case Request.Flush f -> header(0, Request.FLUSH, f.handle(), 0, 0, 0).flip();
            case Request.Trim t -> header(flag(t.fua(), FUA), Request.TRIM, t.handle(), t.offset(), t.length(), 0).flip();
            case Request.Cache c -> header(0, Request.CACHE, c.handle(), c.offset(), c.length(), 0).flip();
            case Request.WriteZeroes z -> header(flag(z.fua(), FUA) | flag(z.noHole(), Protocol.CMD_FLAG_NO_HOLE)
                    | flag(z.fastZero(), Protocol.CMD_FLAG_FAST_ZERO), Request.WRITE_ZEROES, z.handle(), z.offset(), z.length(), 0).flip();
            case Request.BlockStatus s -> header(flag(s.requestOne(), Protocol.CMD_FLAG_REQ_ONE), Request.BLOCK_STATUS,
                    s.handle(), s.offset(), s.length(), 0).flip();
            case Request.Invalid i -> throw new IllegalArgumentException("an invalid request has no bytes: " + i.reason());
        };
    }

    private static int flag(boolean set, int bit) {
        return set ? bit : 0;
    }

    private static ByteBuffer header(int flags, int command, long handle, long offset, long length, int payload) {
        return ByteBuffer.allocate(Protocol.REQUEST_HEADER + payload)
                .putInt(Protocol.REQUEST_MAGIC)
                .putShort((short) flags)
                .putShort((short) command)
                .putLong(handle)
                .putLong(offset)
                .putInt((int) length);
    }
}
