package io.strata.nbd.protocol;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Bytes of the fixed-newstyle handshake, both ways. Decoders take a buffer holding whatever has
 * arrived (position to limit): they return {@code null} and consume nothing while a frame is
 * incomplete, consume exactly one frame when it is whole, and throw
 * {@link MalformedFrameException} for bytes that cannot be a frame.
 */
public final class HandshakeCodec {
    private HandshakeCodec() {}

    /** The handshake flags this server offers. */
    public static final int SERVER_FLAGS = Protocol.FLAG_FIXED_NEWSTYLE | Protocol.FLAG_NO_ZEROES;
    private static final int OPTION_HEADER = 16;
    private static final int OPTION_REPLY_HEADER = 20;
    private static final int INFO_REPLY = 3;
    private static final int SERVER_REPLY = 2;
    private static final int META_CONTEXT_REPLY = 4;

    /** What the client answered to the greeting. */
    public record ClientFlags(boolean fixedNewstyle, boolean noZeroes) {}

    /** The server's first 18 bytes: NBDMAGIC, IHAVEOPT, handshake flags. */
    public static ByteBuffer greeting() {
        return ByteBuffer.allocate(18)
                .putLong(Protocol.NBD_MAGIC)
                .putLong(Protocol.OPTION_MAGIC)
                .putShort((short) SERVER_FLAGS)
                .flip();
    }

    /** The client's 32-bit flags; a flag we did not offer (or do not know) is malformed. */
    public static ClientFlags decodeClientFlags(ByteBuffer in) throws MalformedFrameException {
        if (in.remaining() < 4) {
            return null;
        }
        int flags = in.getInt(in.position());
        if ((flags & ~(Protocol.CLIENT_FIXED_NEWSTYLE | Protocol.CLIENT_NO_ZEROES)) != 0) {
            throw new MalformedFrameException(String.format("client flags 0x%08x hold bits this server did not offer", flags));
        }
        in.position(in.position() + 4);
        return new ClientFlags((flags & Protocol.CLIENT_FIXED_NEWSTYLE) != 0, (flags & Protocol.CLIENT_NO_ZEROES) != 0);
    }

    /** One option, or {@code null} while incomplete. */
    public static Option decodeOption(ByteBuffer in) throws MalformedFrameException {
        if (in.remaining() < OPTION_HEADER) {
            return null;
        }
        int start = in.position();
        long magic = in.getLong(start);
        if (magic != Protocol.OPTION_MAGIC) {
            throw new MalformedFrameException(String.format("option magic 0x%016x is not IHAVEOPT", magic));
        }
        int code = in.getInt(start + 8);
        long length = Integer.toUnsignedLong(in.getInt(start + 12));
        if (length > Protocol.MAX_OPTION_DATA) {
            throw new MalformedFrameException("option " + code + " carries " + length + " bytes, over the "
                    + Protocol.MAX_OPTION_DATA + " this server accepts");
        }
        if (in.remaining() < OPTION_HEADER + length) {
            return null;
        }
        ByteBuffer data = in.slice(start + OPTION_HEADER, (int) length);
        in.position(start + OPTION_HEADER + (int) length);
        return parseOption(code, data);
    }

    private static Option parseOption(int code, ByteBuffer data) {
        return switch (code) {
            case Option.EXPORT_NAME -> Strings.decode(data, data.remaining())
                    .<Option>map(Option.ExportName::new)
                    .orElse(new Option.Invalid(code, "the export name is not a valid string"));
            case Option.ABORT -> new Option.Abort();
            case Option.LIST -> data.hasRemaining() ? new Option.Invalid(code, "LIST takes no data") : new Option.ListExports();
            case Option.STRUCTURED_REPLY ->
                    data.hasRemaining() ? new Option.Invalid(code, "STRUCTURED_REPLY takes no data") : new Option.StructuredReply();
            case Option.INFO, Option.GO -> parseInfo(code, data);
            case Option.LIST_META_CONTEXT, Option.SET_META_CONTEXT -> parseMetaContext(code, data);
            default -> new Option.Unsupported(code);
        };
    }

    private static Option parseInfo(int code, ByteBuffer data) {
        Optional<String> name = string(data);
        if (name.isEmpty() || data.remaining() < 2) {
            return new Option.Invalid(code, "the export name is malformed");
        }
        int count = Short.toUnsignedInt(data.getShort());
        if (data.remaining() != count * 2) {
            return new Option.Invalid(code, "the option announces " + count + " information requests but carries "
                    + data.remaining() + " bytes for them");
        }
        Set<InfoType> requests = EnumSet.noneOf(InfoType.class);
        for (int i = 0; i < count; i++) {
            InfoType.of(Short.toUnsignedInt(data.getShort())).ifPresent(requests::add);
        }
        return new Option.Info(code == Option.GO, name.get(), requests);
    }

    private static Option parseMetaContext(int code, ByteBuffer data) {
        Optional<String> name = string(data);
        if (name.isEmpty() || data.remaining() < 4) {
            return new Option.Invalid(code, "the export name is malformed");
        }
        long count = Integer.toUnsignedLong(data.getInt());
        List<String> queries = new ArrayList<>();
        for (long i = 0; i < count; i++) {
            Optional<String> query = string(data);
            if (query.isEmpty()) {
                return new Option.Invalid(code, "query " + i + " of " + count + " is malformed");
            }
            queries.add(query.get());
        }
        if (data.hasRemaining()) {
            return new Option.Invalid(code, data.remaining() + " bytes follow the last query");
        }
        return new Option.MetaContext(code == Option.SET_META_CONTEXT, name.get(), queries);
    }

    /** A 32-bit length and that many bytes of string; empty when either does not fit or is not valid. */
    private static Optional<String> string(ByteBuffer data) {
        if (data.remaining() < 4) {
            return Optional.empty();
        }
        long length = Integer.toUnsignedLong(data.getInt());
        if (length > data.remaining()) {
            return Optional.empty();
        }
        return Strings.decode(data, (int) length);
    }

    /** The bytes of an option reply. */
    public static ByteBuffer encode(OptionReply reply) {
        ByteBuffer payload = payloadOf(reply);
        return ByteBuffer.allocate(OPTION_REPLY_HEADER + payload.remaining())
                .putLong(Protocol.OPTION_REPLY_MAGIC)
                .putInt(reply.option())
                .putInt(typeOf(reply))
                .putInt(payload.remaining())
                .put(payload)
                .flip();
    }

    private static int typeOf(OptionReply reply) {
        return switch (reply) {
            case OptionReply.Ack _ -> 1;
            case OptionReply.Server _ -> SERVER_REPLY;
            case OptionReply.ExportInfo _ -> INFO_REPLY;
            case OptionReply.NameInfo _ -> INFO_REPLY;
            case OptionReply.DescriptionInfo _ -> INFO_REPLY;
            case OptionReply.BlockSizeInfo _ -> INFO_REPLY;
            case OptionReply.MetaContext _ -> META_CONTEXT_REPLY;
            case OptionReply.Error error -> error.error().code();
        };
    }

    private static ByteBuffer payloadOf(OptionReply reply) {
        return switch (reply) {
            case OptionReply.Ack _ -> ByteBuffer.allocate(0);
            case OptionReply.Server server -> {
                byte[] name = Strings.encode(server.exportName());
                yield ByteBuffer.allocate(4 + name.length).putInt(name.length).put(name).flip();
            }
            case OptionReply.ExportInfo info -> ByteBuffer.allocate(12)
                    .putShort((short) InfoType.EXPORT.code()).putLong(info.size()).putShort((short) info.transmissionFlags()).flip();
            case OptionReply.NameInfo info -> infoString(InfoType.NAME, info.name());
            case OptionReply.DescriptionInfo info -> infoString(InfoType.DESCRIPTION, info.description());
            case OptionReply.BlockSizeInfo info -> ByteBuffer.allocate(14)
                    .putShort((short) InfoType.BLOCK_SIZE.code())
                    .putInt(info.minimum()).putInt(info.preferred()).putInt(info.maximum()).flip();
            case OptionReply.MetaContext context -> {
                byte[] name = Strings.encode(context.name());
                yield ByteBuffer.allocate(4 + name.length).putInt(context.contextId()).put(name).flip();
            }
            case OptionReply.Error error -> ByteBuffer.wrap(Strings.encode(error.message()));
        };
    }

    private static ByteBuffer infoString(InfoType type, String text) {
        byte[] bytes = Strings.encode(text);
        return ByteBuffer.allocate(2 + bytes.length).putShort((short) type.code()).put(bytes).flip();
    }

    /**
     * The answer to EXPORT_NAME: size, transmission flags and, unless the client asked for none,
     * 124 reserved zero bytes.
     */
    public static ByteBuffer encodeExportNameReply(long size, int transmissionFlags, boolean noZeroes) {
        ByteBuffer out = ByteBuffer.allocate(10 + (noZeroes ? 0 : 124));
        out.putLong(size).putShort((short) transmissionFlags);
        return out.position(out.capacity()).flip();
    }
}
