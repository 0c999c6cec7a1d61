package io.strata.nbd.protocol;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The client's side of the bytes {@link HandshakeCodec} and {@link ReplyCodec} speak for the server:
 * what a client sends during the handshake, and how it reads what the server answers. Decoders follow
 * the same rule as the server's: {@code null} and nothing consumed while a frame is incomplete, exactly
 * one frame consumed when it is whole, {@link MalformedFrameException} for bytes that cannot be one.
 *
 * <p>Transmission replies are decoded as structured chunks (a client of ours always negotiates them,
 * so a READ's data length is in its chunk header); a simple reply is decoded as its 16-byte header,
 * its data (if any) left for the caller, who knows the length it asked for.
 */
public final class ClientCodec {
    private ClientCodec() {}

    private static final int GREETING = 18;
    private static final int OPTION_REPLY_HEADER = 20;
    /** The largest chunk a reply may carry: a READ's data plus its offset, or a full block status reply. */
    private static final int MAX_CHUNK = Protocol.MAX_PAYLOAD + 8;

    /** The server's handshake flags from its greeting, or {@code null} while incomplete. */
    public static Integer decodeGreeting(ByteBuffer in) throws MalformedFrameException {
        if (in.remaining() < GREETING) {
            return null;
        }
        int p = in.position();
        if (in.getLong(p) != Protocol.NBD_MAGIC || in.getLong(p + 8) != Protocol.OPTION_MAGIC) {
            throw new MalformedFrameException("the greeting is not NBDMAGIC IHAVEOPT: this is no newstyle NBD server");
        }
        int flags = Short.toUnsignedInt(in.getShort(p + 16));
        in.position(p + GREETING);
        return flags;
    }

    /** The client's flags after the greeting. */
    public static ByteBuffer encodeClientFlags(boolean noZeroes) {
        return ByteBuffer.allocate(4).putInt(Protocol.CLIENT_FIXED_NEWSTYLE | (noZeroes ? Protocol.CLIENT_NO_ZEROES : 0)).flip();
    }

    /** The bytes of an option, as {@link HandshakeCodec#decodeOption} reads them. */
    public static ByteBuffer encodeOption(Option option) {
        ByteBuffer data = switch (option) {
            case Option.ExportName e -> ByteBuffer.wrap(Strings.encode(e.name()));
            case Option.Abort _, Option.ListExports _, Option.StructuredReply _ -> ByteBuffer.allocate(0);
            case Option.Info info -> {
                byte[] name = Strings.encode(info.name());
                ByteBuffer b = ByteBuffer.allocate(4 + name.length + 2 + 2 * info.requests().size())
                        .putInt(name.length).put(name).putShort((short) info.requests().size());
                info.requests().forEach(r -> b.putShort((short) r.code()));
                yield b.flip();
            }
            case Option.MetaContext m -> {
                byte[] name = Strings.encode(m.exportName());
                List<byte[]> queries = m.queries().stream().map(Strings::encode).toList();
                ByteBuffer b = ByteBuffer.allocate(4 + name.length + 4 + queries.stream().mapToInt(q -> 4 + q.length).sum())
                        .putInt(name.length).put(name).putInt(queries.size());
                queries.forEach(q -> b.putInt(q.length).put(q));
                yield b.flip();
            }
            case Option.Unsupported u -> throw new IllegalArgumentException("option " + u.code() + " has no data this codec knows");
            case Option.Invalid i -> throw new IllegalArgumentException("an invalid option has no bytes: " + i.reason());
        };
        return ByteBuffer.allocate(16 + data.remaining()).putLong(Protocol.OPTION_MAGIC).putInt(option.code())
                .putInt(data.remaining()).put(data).flip();
    }

    /** One option reply, or {@code null} while incomplete. */
    public static OptionReply decodeOptionReply(ByteBuffer in) throws MalformedFrameException {
        if (in.remaining() < OPTION_REPLY_HEADER) {
            return null;
        }
        int p = in.position();
        if (in.getLong(p) != Protocol.OPTION_REPLY_MAGIC) {
            throw new MalformedFrameException(String.format("option reply magic 0x%016x is wrong", in.getLong(p)));
        }
        int option = in.getInt(p + 8);
        int type = in.getInt(p + 12);
        long length = Integer.toUnsignedLong(in.getInt(p + 16));
        if (length > Protocol.MAX_OPTION_DATA) {
            throw new MalformedFrameException("an option reply of " + length + " bytes is over the " + Protocol.MAX_OPTION_DATA + " we read");
        }
        if (in.remaining() < OPTION_REPLY_HEADER + length) {
            return null;
        }
        ByteBuffer data = in.slice(p + OPTION_REPLY_HEADER, (int) length);
        in.position(p + OPTION_REPLY_HEADER + (int) length);
        try {
            return optionReply(option, type, data);
        } catch (java.nio.BufferUnderflowException e) {
            throw new MalformedFrameException("option reply type " + type + " is too short (" + length + " bytes)");
        }
    }

    private static OptionReply optionReply(int option, int type, ByteBuffer data) throws MalformedFrameException {
        if ((type & 0x8000_0000) != 0) {
            String message = Strings.decode(data, data.remaining()).orElse("");
            OptionError error = OptionError.of(type).orElseThrow(
                    () -> new MalformedFrameException(String.format("option error 0x%08x is unknown: %s", type, message)));
            return new OptionReply.Error(option, error, message);
        }
        return switch (type) {
            case 1 -> new OptionReply.Ack(option);
            case 2 -> new OptionReply.Server(option, string(data, data.getInt()));
            case 3 -> info(option, data);
            case 4 -> new OptionReply.MetaContext(option, data.getInt(), string(data, data.remaining()));
            default -> throw new MalformedFrameException("option reply type " + type + " is unknown");
        };
    }

    private static OptionReply info(int option, ByteBuffer data) throws MalformedFrameException {
        int infoType = Short.toUnsignedInt(data.getShort());
        return switch (infoType) {
            case 0 -> new OptionReply.ExportInfo(option, data.getLong(), Short.toUnsignedInt(data.getShort()));
            case 1 -> new OptionReply.NameInfo(option, string(data, data.remaining()));
            case 2 -> new OptionReply.DescriptionInfo(option, string(data, data.remaining()));
            case 3 -> new OptionReply.BlockSizeInfo(option, data.getInt(), data.getInt(), data.getInt());
            default -> throw new MalformedFrameException("information type " + infoType + " is unknown");
        };
    }

    private static String string(ByteBuffer data, int length) throws MalformedFrameException {
        if (length < 0 || length > data.remaining()) {
            throw new MalformedFrameException("a string of " + length + " bytes does not fit in its frame");
        }
        return Strings.decode(data, length).orElseThrow(() -> new MalformedFrameException("a string is not valid UTF-8"));
    }

    /**
     * One transmission reply: a structured chunk whole (an OFFSET_DATA's data is a view of {@code in}:
     * use it before {@code in} is reused), or a simple reply's header, with an empty data buffer;
     * {@code null} while incomplete.
     */
    public static Reply decodeReply(ByteBuffer in) throws MalformedFrameException {
        if (in.remaining() < 4) {
            return null;
        }
        int p = in.position();
        int magic = in.getInt(p);
        if (magic == Protocol.SIMPLE_REPLY_MAGIC) {
            if (in.remaining() < Protocol.SIMPLE_REPLY_HEADER) {
                return null;
            }
            int error = in.getInt(p + 4);
            long handle = in.getLong(p + 8);
            in.position(p + Protocol.SIMPLE_REPLY_HEADER);
            return error == 0 ? new Reply.SimpleOk(handle) : new Reply.SimpleError(handle, NbdError.of(error));
        }
        if (magic != Protocol.STRUCTURED_REPLY_MAGIC) {
            throw new MalformedFrameException(String.format("reply magic 0x%08x is neither simple nor structured", magic));
        }
        if (in.remaining() < Protocol.CHUNK_HEADER) {
            return null;
        }
        boolean done = (in.getShort(p + 4) & Protocol.REPLY_FLAG_DONE) != 0;
        int type = Short.toUnsignedInt(in.getShort(p + 6));
        long handle = in.getLong(p + 8);
        long length = Integer.toUnsignedLong(in.getInt(p + 16));
        if (length > MAX_CHUNK) {
            throw new MalformedFrameException("a reply chunk of " + length + " bytes is over the " + MAX_CHUNK + " a server may send");
        }
        if (in.remaining() < Protocol.CHUNK_HEADER + length) {
            return null;
        }
        ByteBuffer data = in.slice(p + Protocol.CHUNK_HEADER, (int) length);
        in.position(p + Protocol.CHUNK_HEADER + (int) length);
        try {
            return chunk(type, done, handle, data);
        } catch (java.nio.BufferUnderflowException e) {
            throw new MalformedFrameException("reply chunk type " + type + " is too short (" + length + " bytes)");
        }
    }

    private static Reply chunk(int type, boolean done, long handle, ByteBuffer data) throws MalformedFrameException {
        return switch (type) {
            case Reply.TYPE_NONE -> {
                if (!done || data.hasRemaining()) {
                    throw new MalformedFrameException("a NONE chunk must be empty and the last");
                }
                yield new Reply.Done(handle);
            }
            case Reply.TYPE_OFFSET_DATA -> new Reply.OffsetData(handle, done, data.getLong(), data.slice());
            case Reply.TYPE_OFFSET_HOLE -> new Reply.OffsetHole(handle, done, data.getLong(), data.getInt());
            case Reply.TYPE_BLOCK_STATUS -> {
                int context = data.getInt();
                if (data.remaining() % 8 != 0) {
                    throw new MalformedFrameException("block status descriptors are 8 bytes each, " + data.remaining() + " bytes left");
                }
                List<BlockDescriptor> extents = new ArrayList<>(data.remaining() / 8);
                while (data.hasRemaining()) {
                    extents.add(new BlockDescriptor(data.getInt(), data.getInt()));
                }
                yield new Reply.BlockStatus(handle, done, context, extents);
            }
            case Reply.TYPE_ERROR, Reply.TYPE_ERROR_OFFSET -> {
                NbdError error = NbdError.of(data.getInt());
                int length = Short.toUnsignedInt(data.getShort());
                yield new Reply.Error(handle, done, error, string(data, length));
            }
            default -> {
                if ((type & 0x8000) != 0) {
                    yield new Reply.Error(handle, done, NbdError.EIO, "error chunk of unknown type " + type);
                }
                throw new MalformedFrameException("reply chunk type " + type + " is unknown");
            }
        };
    }
}
