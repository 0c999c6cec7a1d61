package io.strata.nbd.protocol;

import java.nio.ByteBuffer;

/**
 * Bytes of transmission replies. {@link #encode} writes a whole reply; a server that reads data
 * straight into its output buffer writes the header with {@link #encodeDataHeader} and the data
 * after it.
 */
public final class ReplyCodec {
    private ReplyCodec() {}

    /** Bytes {@link #encode} writes for this reply. */
    public static int encodedLength(Reply reply) {
        return switch (reply) {
            case Reply.SimpleOk ok -> Protocol.SIMPLE_REPLY_HEADER + ok.data().remaining();
            case Reply.SimpleError _ -> Protocol.SIMPLE_REPLY_HEADER;
            case Reply.Done _ -> Protocol.CHUNK_HEADER;
            case Reply.OffsetData d -> Protocol.CHUNK_HEADER + 8 + d.data().remaining();
            case Reply.OffsetHole _ -> Protocol.CHUNK_HEADER + 12;
            case Reply.BlockStatus s -> Protocol.CHUNK_HEADER + 4 + 8 * s.extents().size();
            case Reply.Error e -> Protocol.CHUNK_HEADER + 6 + Strings.encode(e.message()).length;
        };
    }

    /** Writes the reply at {@code out}'s position; {@code out} must have room for {@link #encodedLength}. */
    public static void encode(Reply reply, ByteBuffer out) {
        switch (reply) {
            case Reply.SimpleOk ok -> simple(out, 0, ok.handle()).put(ok.data().duplicate());
            case Reply.SimpleError e -> simple(out, e.error().code(), e.handle());
            case Reply.Done d -> chunk(out, true, Reply.TYPE_NONE, d.handle(), 0);
            case Reply.OffsetData d -> chunk(out, d.done(), Reply.TYPE_OFFSET_DATA, d.handle(), 8 + d.data().remaining())
                    .putLong(d.offset()).put(d.data().duplicate());
            case Reply.OffsetHole h -> chunk(out, h.done(), Reply.TYPE_OFFSET_HOLE, h.handle(), 12)
                    .putLong(h.offset()).putInt(h.length());
            case Reply.BlockStatus s -> {
                chunk(out, s.done(), Reply.TYPE_BLOCK_STATUS, s.handle(), 4 + 8 * s.extents().size()).putInt(s.contextId());
                for (BlockDescriptor extent : s.extents()) {
                    out.putInt(extent.length()).putInt(extent.flags());
                }
            }
            case Reply.Error e -> {
                byte[] message = Strings.encode(e.message());
                chunk(out, e.done(), Reply.TYPE_ERROR, e.handle(), 6 + message.length)
                        .putInt(e.error().code()).putShort((short) message.length).put(message);
            }
        }
    }

    /** The reply in a new buffer, flipped for reading. */
    public static ByteBuffer encode(Reply reply) {
        ByteBuffer out = ByteBuffer.allocate(encodedLength(reply));
        encode(reply, out);
        return out.flip();
    }

    /** Bytes of the header {@link #encodeDataHeader} writes. */
    public static int dataHeaderLength(boolean structured) {
        return structured ? Protocol.CHUNK_HEADER + 8 : Protocol.SIMPLE_REPLY_HEADER;
    }

    /**
     * The header of a successful READ reply of {@code length} bytes, to be followed by the data: a
     * simple reply, or one structured OFFSET_DATA chunk marked done. Exactly as
     * {@link #encode} writes {@link Reply.SimpleOk} or {@link Reply.OffsetData} (done) up to the data.
     */
    public static void encodeDataHeader(ByteBuffer out, boolean structured, long handle, long offset, int length) {
        if (structured) {
            chunk(out, true, Reply.TYPE_OFFSET_DATA, handle, 8 + length).putLong(offset);
        } else {
            simple(out, 0, handle);
        }
    }

    private static ByteBuffer simple(ByteBuffer out, int error, long handle) {
        return out.putInt(Protocol.SIMPLE_REPLY_MAGIC).putInt(error).putLong(handle);
    }

    private static ByteBuffer chunk(ByteBuffer out, boolean done, int type, long handle, int length) {
        return out.putInt(Protocol.STRUCTURED_REPLY_MAGIC)
                .putShort((short) (done ? Protocol.REPLY_FLAG_DONE : 0))
                .putShort((short) type)
                .putLong(handle)
                .putInt(length);
    }
}
