package io.strata.nbd.client;

import io.strata.domain.StrataException;
import io.strata.engine.BlockDevice;
import io.strata.engine.Extent;
import io.strata.nbd.protocol.ClientCodec;
import io.strata.nbd.protocol.MalformedFrameException;
import io.strata.nbd.protocol.NbdError;
import io.strata.nbd.protocol.Option;
import io.strata.nbd.protocol.OptionError;
import io.strata.nbd.protocol.OptionReply;
import io.strata.nbd.protocol.Protocol;
import io.strata.nbd.protocol.Reply;
import io.strata.nbd.protocol.Request;
import io.strata.nbd.protocol.RequestCodec;
import java.io.EOFException;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * One export of an NBD server, opened over a unix socket, as a {@link BlockDevice}: structured
 * replies and {@code base:allocation} are negotiated, so reads come back as data and holes and
 * {@link #allocatedExtents()} asks the server where the data is. One request at a time (calls are
 * serialised): simple and enough for copying a file in and out.
 *
 * <p>Failures: an export the server does not have is {@link StrataException.NotFound}; a write to a
 * read-only export {@link StrataException.FailedPrecondition}; a range beyond the export
 * {@link StrataException.OutOfRange} (checked here, before anything is sent); no room
 * {@link StrataException.ResourceExhausted}; anything else the server reports, or a broken stream,
 * an {@link IOException} naming the export.
 */
public final class NbdClient implements BlockDevice, AutoCloseable {
    /** The largest READ or WRITE sent: what the server takes in one request. */
    static final int MAX_IO = Protocol.MAX_PAYLOAD;
    /** The largest range one TRIM, WRITE_ZEROES or BLOCK_STATUS covers (lengths are 32-bit). */
    static final long MAX_RANGE = 1L << 30;

    private static final ByteBuffer ZEROES = ByteBuffer.allocate(64 << 10).asReadOnlyBuffer();

    private final SocketChannel channel;
    private final String export;
    private final long size;
    private final boolean readOnly;
    private final int allocationContext;
    private final ByteBuffer in = ByteBuffer.allocateDirect(MAX_IO + 64).flip();
    private long nextHandle = 1;

    private NbdClient(SocketChannel channel, String export, long size, boolean readOnly, int allocationContext) {
        this.channel = channel;
        this.export = export;
        this.size = size;
        this.readOnly = readOnly;
        this.allocationContext = allocationContext;
    }

    /**
     * Connects to {@code socket} and opens {@code export} ({@code VOLUME} read-write,
     * {@code VOLUME@SNAPSHOT} read-only).
     *
     * @throws StrataException.Unavailable when nothing listens on the socket
     * @throws StrataException.NotFound    when the server has no such export
     */
    public static NbdClient open(Path socket, String export) throws IOException {
        SocketChannel channel;
        try {
            channel = SocketChannel.open(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            throw new StrataException.Unavailable("nothing answers on the NBD socket " + socket + " (" + e.getClass().getSimpleName()
                    + "): is the server still running?", e);
        }
        try {
            return handshake(channel, export);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private static NbdClient handshake(SocketChannel channel, String export) throws IOException {
        Conversation talk = new Conversation(channel, export);
        talk.greeting();
        talk.send(ClientCodec.encodeClientFlags(true));
        talk.send(ClientCodec.encodeOption(new Option.StructuredReply()));
        talk.expectAck("structured replies");
        talk.send(ClientCodec.encodeOption(new Option.MetaContext(true, export, List.of(Protocol.BASE_ALLOCATION))));
        int context = -1;
        for (OptionReply reply = talk.optionReply(); !(reply instanceof OptionReply.Ack); reply = talk.optionReply()) {
            switch (reply) {
                case OptionReply.MetaContext m when m.name().equals(Protocol.BASE_ALLOCATION) -> context = m.contextId();
                case OptionReply.Error e -> throw talk.failure(e);
                default -> { } // another context: not asked for, not used
            }
        }
        talk.send(ClientCodec.encodeOption(new Option.Info(true, export, Set.of())));
        long size = -1;
        int flags = 0;
        for (OptionReply reply = talk.optionReply(); !(reply instanceof OptionReply.Ack); reply = talk.optionReply()) {
            switch (reply) {
                case OptionReply.ExportInfo info -> {
                    size = info.size();
                    flags = info.transmissionFlags();
                }
                case OptionReply.Error e -> throw talk.failure(e);
                default -> { } // name, description, block sizes: not needed
            }
        }
        if (size < 0) {
            throw new IOException("the NBD server opened export '" + export + "' without saying its size");
        }
        return new NbdClient(channel, export, size, (flags & Protocol.READ_ONLY) != 0, context);
    }

    @Override
    public long size() {
        return size;
    }

    /** Whether the export takes no writes (a snapshot). */
    public boolean readOnly() {
        return readOnly;
    }

    @Override
    public synchronized void readAt(ByteBuffer dst, long offset) throws IOException {
        checkRange(offset, dst.remaining());
        while (dst.hasRemaining()) {
            int n = Math.min(dst.remaining(), MAX_IO);
            long handle = send(new Request.Read(nextHandle++, offset, n, false, false));
            int base = dst.position();
            int filled = 0;
            for (Reply reply = reply(handle); ; reply = reply(handle)) {
                switch (reply) {
                    case Reply.OffsetData d -> {
                        int at = chunkAt(d.offset(), d.data().remaining(), offset, n);
                        dst.put(base + at, d.data(), d.data().position(), d.data().remaining());
                        filled += d.data().remaining();
                    }
                    case Reply.OffsetHole h -> {
                        int at = chunkAt(h.offset(), h.length(), offset, n);
                        for (int done = 0; done < h.length(); done += ZEROES.capacity()) {
                            int len = Math.min(ZEROES.capacity(), h.length() - done);
                            dst.put(base + at + done, ZEROES, 0, len);
                        }
                        filled += h.length();
                    }
                    case Reply.Done _ -> { }
                    default -> throw failure(reply, "reading " + n + " bytes at " + offset);
                }
                if (done(reply)) {
                    break;
                }
            }
            if (filled != n) {
                throw new IOException("the NBD server answered " + filled + " of the " + n + " bytes read at " + offset + " of '" + export + "'");
            }
            dst.position(base + n);
            offset += n;
        }
    }

    private int chunkAt(long chunkOffset, int length, long offset, int n) throws IOException {
        if (chunkOffset < offset || chunkOffset + length > offset + n) {
            throw new IOException("the NBD server answered a read at " + offset + " with bytes at " + chunkOffset + " of '" + export + "'");
        }
        return (int) (chunkOffset - offset);
    }

    @Override
    public synchronized void writeAt(ByteBuffer src, long offset) throws IOException {
        checkRange(offset, src.remaining());
        while (src.hasRemaining()) {
            int n = Math.min(src.remaining(), MAX_IO);
            ByteBuffer part = src.slice(src.position(), n);
            expectDone(send(new Request.Write(nextHandle++, offset, part, false)), "writing " + n + " bytes at " + offset);
            src.position(src.position() + n);
            offset += n;
        }
    }

    @Override
    public synchronized void unmap(long offset, long length) throws IOException {
        checkRange(offset, length);
        for (long at = offset; at < offset + length; at += MAX_RANGE) {
            long n = Math.min(MAX_RANGE, offset + length - at);
            expectDone(send(new Request.Trim(nextHandle++, at, n, false)), "trimming " + n + " bytes at " + at);
        }
    }

    @Override
    public synchronized void writeZeroes(long offset, long length) throws IOException {
        checkRange(offset, length);
        for (long at = offset; at < offset + length; at += MAX_RANGE) {
            long n = Math.min(MAX_RANGE, offset + length - at);
            expectDone(send(new Request.WriteZeroes(nextHandle++, at, n, false, false, false)), "zeroing " + n + " bytes at " + at);
        }
    }

    @Override
    public synchronized void flush() throws IOException {
        expectDone(send(new Request.Flush(nextHandle++)), "flushing");
    }

    /** The ranges that hold data, in order and merged; the rest reads as zeroes. */
    public synchronized List<Extent> allocatedExtents() throws IOException {
        if (allocationContext < 0) {
            return size == 0 ? List.of() : List.of(new Extent(0, size)); // no map: everything may hold data
        }
        List<Extent> extents = new ArrayList<>();
        long at = 0;
        while (at < size) {
            long window = Math.min(MAX_RANGE, size - at);
            long handle = send(new Request.BlockStatus(nextHandle++, at, window, false));
            long next = at;
            for (Reply reply = reply(handle); ; reply = reply(handle)) {
                switch (reply) {
                    case Reply.BlockStatus s when s.contextId() == allocationContext -> {
                        for (var d : s.extents()) {
                            long length = Integer.toUnsignedLong(d.length());
                            long end = Math.min(next + length, size);
                            if ((d.flags() & Protocol.STATE_HOLE) == 0 && end > next) {
                                add(extents, next, end - next);
                            }
                            next = end;
                        }
                    }
                    case Reply.BlockStatus _, Reply.Done _ -> { }
                    default -> throw failure(reply, "asking where the data is at " + at);
                }
                if (done(reply)) {
                    break;
                }
            }
            if (next <= at) {
                throw new IOException("the NBD server described no bytes at " + at + " of '" + export + "'");
            }
            at = next;
        }
        return List.copyOf(extents);
    }

    private static void add(List<Extent> extents, long offset, long length) {
        if (!extents.isEmpty() && extents.getLast().end() == offset) {
            Extent last = extents.removeLast();
            extents.add(new Extent(last.offset(), last.length() + length));
        } else {
            extents.add(new Extent(offset, length));
        }
    }

    /** Ends the session politely (DISC), then closes the socket. */
    @Override
    public synchronized void close() throws IOException {
        try (channel) {
            if (channel.isOpen()) {
                write(RequestCodec.encode(new Request.Disconnect(nextHandle++)));
            }
        } catch (IOException alreadyGone) {
            // the server closed first: nothing was in flight
        }
    }

    private void checkRange(long offset, long length) {
        if (offset < 0 || length < 0 || offset > size || length > size - offset) {
            throw new StrataException.OutOfRange("range " + offset + "+" + length + " is outside export '" + export + "' of "
                    + size + " bytes");
        }
    }

    private long send(Request request) throws IOException {
        write(RequestCodec.encode(request));
        return request.handle();
    }

    private void write(ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
    }

    private void expectDone(long handle, String what) throws IOException {
        Reply reply = reply(handle);
        if (!(reply instanceof Reply.Done) && !(reply instanceof Reply.SimpleOk)) {
            throw failure(reply, what);
        }
    }

    private static boolean done(Reply reply) {
        return switch (reply) {
            case Reply.OffsetData d -> d.done();
            case Reply.OffsetHole h -> h.done();
            case Reply.BlockStatus s -> s.done();
            case Reply.Error e -> e.done();
            case Reply.Done _, Reply.SimpleOk _, Reply.SimpleError _ -> true;
        };
    }

    /** The next reply, which must be to {@code handle}: requests go one at a time. */
    private Reply reply(long handle) throws IOException {
        while (true) {
            Reply reply;
            try {
                reply = ClientCodec.decodeReply(in);
            } catch (MalformedFrameException e) {
                throw new IOException("the NBD server sent a malformed reply for '" + export + "': " + e.getMessage(), e);
            }
            if (reply != null) {
                if (reply.handle() != handle) {
                    throw new IOException("the NBD server answered request " + reply.handle() + " while " + handle + " was waiting");
                }
                return reply;
            }
            fill();
        }
    }

    /** Reads more bytes after those not yet decoded. */
    private void fill() throws IOException {
        in.compact();
        try {
            if (channel.read(in) < 0) {
                throw new EOFException("the NBD server closed the connection to '" + export + "'");
            }
        } finally {
            in.flip();
        }
    }

    private IOException failure(Reply reply, String what) {
        NbdError error = switch (reply) {
            case Reply.Error e -> e.error();
            case Reply.SimpleError e -> e.error();
            default -> null;
        };
        String message = reply instanceof Reply.Error e && !e.message().isEmpty() ? ": " + e.message() : "";
        if (error == null) {
            return new IOException("the NBD server answered " + what + " of '" + export + "' with " + reply.getClass().getSimpleName());
        }
        return switch (error) {
            case EPERM -> throw new StrataException.FailedPrecondition("'" + export + "' is read-only: " + what + " was refused" + message);
            case ENOSPC -> throw new StrataException.ResourceExhausted("no space left " + what + " of '" + export + "'" + message);
            case EINVAL -> throw new StrataException.OutOfRange(what + " of '" + export + "' was refused as invalid" + message);
            default -> new IOException(what + " of '" + export + "' failed on the NBD server (" + error + ")" + message);
        };
    }

    /** The handshake's reads and writes, with the export's name for messages. */
    private record Conversation(SocketChannel channel, String export, ByteBuffer in) {
        Conversation(SocketChannel channel, String export) {
            this(channel, export, ByteBuffer.allocate(Protocol.MAX_OPTION_DATA + 64).flip());
        }

        void greeting() throws IOException {
            while (true) {
                try {
                    Integer flags = ClientCodec.decodeGreeting(in);
                    if (flags != null) {
                        if ((flags & Protocol.FLAG_FIXED_NEWSTYLE) == 0) {
                            throw new IOException("the NBD server does not speak fixed newstyle");
                        }
                        return;
                    }
                } catch (MalformedFrameException e) {
                    throw new IOException(e.getMessage(), e);
                }
                fill();
            }
        }

        void send(ByteBuffer bytes) throws IOException {
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
        }

        OptionReply optionReply() throws IOException {
            while (true) {
                try {
                    OptionReply reply = ClientCodec.decodeOptionReply(in);
                    if (reply != null) {
                        return reply;
                    }
                } catch (MalformedFrameException e) {
                    throw new IOException("the NBD server sent a malformed option reply: " + e.getMessage(), e);
                }
                fill();
            }
        }

        void expectAck(String what) throws IOException {
            OptionReply reply = optionReply();
            if (reply instanceof OptionReply.Error e) {
                throw new IOException("the NBD server refused " + what + ": " + e.message());
            }
        }

        RuntimeException failure(OptionReply.Error e) {
            if (e.error() == OptionError.UNKNOWN) {
                return new StrataException.NotFound("the NBD server has no export '" + export + "'"
                        + (e.message().isEmpty() ? "" : ": " + e.message()));
            }
            return new StrataException.Unavailable("the NBD server refused export '" + export + "' (" + e.error() + ")"
                    + (e.message().isEmpty() ? "" : ": " + e.message()));
        }

        private void fill() throws IOException {
            in.compact();
            try {
                if (channel.read(in) < 0) {
                    throw new EOFException("the NBD server closed the connection while opening '" + export + "'");
                }
            } finally {
                in.flip();
            }
        }
    }
}
