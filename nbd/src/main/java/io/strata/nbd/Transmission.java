package io.strata.nbd;

import io.strata.engine.BlockDevice;
import io.strata.nbd.protocol.BlockDescriptor;
import io.strata.nbd.protocol.NbdError;
import io.strata.nbd.protocol.Protocol;
import io.strata.nbd.protocol.Reply;
import io.strata.nbd.protocol.ReplyCodec;
import io.strata.nbd.protocol.Request;
import io.strata.nbd.protocol.RequestCodec;
import io.strata.nbd.protocol.RequestHeader;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;

/**
 * The transmission phase of one connection: reads requests, runs them against the export's
 * device and sends the replies, until the client disconnects.
 *
 * <p>Requests are pipelined. Quick ones (reads and writes of up to {@link #INLINE_MAX} bytes
 * without FUA, block status, cache, and every error found before touching the device) are
 * answered by the reading thread at once, straight from and into its socket buffers: no copy, no
 * thread hand-off, and the replies of a burst leave in one write. Slow ones (flush, FUA writes,
 * trim, write-zeroes, large reads and writes) run in the background and send their replies
 * themselves, possibly out of order, while reading goes on. At most {@code maxRequests} background
 * requests holding at most {@code maxBytes} payload bytes are in flight; past that the reading
 * thread waits, and the client's requests wait in the socket.
 *
 * <p>Flush: a reply is sent only after its request's effect is in the device, so every write the
 * client saw answered before it sent FLUSH is covered by the device's flush.
 */
final class Transmission {
    /** The largest read or write answered by the reading thread itself. */
    static final int INLINE_MAX = 256 << 10;
    /** Bytes of the reading thread's input and output buffers: an inline request and its reply fit. */
    static final int BUFFER = 2 * INLINE_MAX;
    private static final System.Logger LOG = System.getLogger(Transmission.class.getName());
    private static final ByteBuffer ZEROES = ByteBuffer.allocateDirect(1 << 20).asReadOnlyBuffer();
    private static final ByteBuffer NO_PAYLOAD = ByteBuffer.allocate(0);

    private final Session session;
    private final BlockDevice device;
    private final InputBuffer in;
    private final ReplyWriter writer;
    private final BufferPool pool;
    private final Executor background;
    private final int maxRequests;
    private final Semaphore requests;
    private final Semaphore bytes;
    private final NbdCounters counters;
    private volatile IOException sendFailure;

    Transmission(Session session, InputBuffer in, ReplyWriter writer, BufferPool pool, Executor background,
                 int maxRequests, int maxBytes, NbdCounters counters) {
        this.session = session;
        this.counters = counters;
        this.device = session.export().device();
        this.in = in;
        this.writer = writer;
        this.pool = pool;
        this.background = background;
        this.maxRequests = maxRequests;
        this.requests = new Semaphore(maxRequests);
        this.bytes = new Semaphore(maxBytes);
    }

    /** Serves requests until DISC or the end of the stream; returns once every reply is sent. */
    void run() throws IOException {
        Throwable failure = null;
        try {
            while (serveOne()) {
                if (sendFailure != null) {
                    throw sendFailure;
                }
            }
        } catch (IOException | RuntimeException | Error e) {
            failure = e;
            throw e;
        } finally {
            requests.acquireUninterruptibly(maxRequests); // every background request has replied
            requests.release(maxRequests);
            try {
                writer.flush();
            } catch (IOException e) {
                if (failure == null) {
                    throw e;
                }
                failure.addSuppressed(e);
            }
        }
    }

    /** Reads (if needed) and serves one request; false when the session is over. */
    private boolean serveOne() throws IOException {
        ByteBuffer input = in.buffer();
        RequestHeader header = RequestCodec.decodeHeader(input);
        if (header == null) {
            if (in.fill()) {
                return true;
            }
            if (input.hasRemaining()) {
                throw new EOFException("the client closed the connection in the middle of a request");
            }
            return false;
        }
        int length = header.payloadLength();
        ByteBuffer payload = NO_PAYLOAD;
        ByteBuffer owned = null;
        if (length > 0) {
            if (length <= INLINE_MAX && (header.flags() & Protocol.CMD_FLAG_FUA) == 0) {
                if (!in.fillTo(length)) {
                    throw new EOFException("the client closed the connection in the middle of a write's payload");
                }
                payload = input.slice(input.position(), length);
                input.position(input.position() + length);
            } else {
                owned = pool.take(length);
                in.readFully(owned);
                payload = owned.flip();
            }
        }
        try {
            Request request = RequestCodec.request(header, payload);
            boolean goOn = dispatch(request, owned);
            owned = null; // dispatch took it
            return goOn;
        } finally {
            if (owned != null) {
                pool.give(owned);
            }
        }
    }

    /** Answers or starts one request; takes ownership of {@code owned}. */
    private boolean dispatch(Request request, ByteBuffer owned) throws IOException {
        switch (request) {
            case Request.Read r -> {
                if (inRange(r.handle(), r.offset(), r.length())) {
                    counters.read(r.length());
                    if (r.length() <= INLINE_MAX) {
                        readInline(r);
                    } else {
                        ByteBuffer data = pool.take(r.length());
                        inBackground(r.handle(), r.length(), data, () -> {
                            device.readAt(data, r.offset());
                            ByteBuffer header = ByteBuffer.allocate(ReplyCodec.dataHeaderLength(session.structured()));
                            ReplyCodec.encodeDataHeader(header, session.structured(), r.handle(), r.offset(), r.length());
                            return new ByteBuffer[] {header.flip(), data.flip()};
                        });
                    }
                }
            }
            case Request.Write w -> {
                if (!writable(w.handle()) || !inRange(w.handle(), w.offset(), w.length())) {
                    give(owned);
                    return true;
                }
                counters.write(w.length());
                if (owned == null) {
                    try {
                        device.writeAt(w.data(), w.offset());
                        reply(new Reply.SimpleOk(w.handle()));
                    } catch (IOException | RuntimeException e) {
                        reply(failed(w.handle(), e));
                    }
                } else {
                    inBackground(w.handle(), w.length(), owned, () -> {
                        device.writeAt(w.data(), w.offset());
                        return ok(w.handle(), w.fua());
                    });
                }
            }
            case Request.Flush f -> {
                counters.flush();
                inBackground(f.handle(), 0, null, () -> ok(f.handle(), true));
            }
            case Request.Trim t -> {
                if (writable(t.handle()) && inRange(t.handle(), t.offset(), t.length())) {
                    counters.trim();
                    inBackground(t.handle(), 0, null, () -> {
                        device.unmap(t.offset(), t.length());
                        return ok(t.handle(), t.fua());
                    });
                }
            }
            case Request.WriteZeroes z -> {
                if (writable(z.handle()) && inRange(z.handle(), z.offset(), z.length())) {
                    if (z.noHole() && z.fastZero()) {
                        // zeroes that must take space are written as data: not faster than a write
                        reply(error(z.handle(), NbdError.ENOTSUP, "zeroes without holes are no faster than a write here"));
                    } else {
                        counters.writeZeroes();
                        inBackground(z.handle(), 0, null, () -> {
                            if (z.noHole()) {
                                writeZeroBytes(z.offset(), z.length());
                            } else {
                                device.writeZeroes(z.offset(), z.length());
                            }
                            return ok(z.handle(), z.fua());
                        });
                    }
                }
            }
            case Request.Cache c -> {
                if (inRange(c.handle(), c.offset(), c.length())) {
                    counters.cache();
                    reply(new Reply.SimpleOk(c.handle())); // reads are served from the page cache anyway
                }
            }
            case Request.BlockStatus s -> blockStatus(s);
            case Request.Invalid i -> reply(error(i.handle(), NbdError.EINVAL, i.reason()));
            case Request.Disconnect _ -> {
                return false;
            }
        }
        return true;
    }

    private void readInline(Request.Read r) throws IOException {
        int headerLength = ReplyCodec.dataHeaderLength(session.structured());
        writer.reserve(headerLength + r.length());
        ByteBuffer out = writer.buffer();
        int start = out.position();
        ReplyCodec.encodeDataHeader(out, session.structured(), r.handle(), r.offset(), r.length());
        try {
            device.readAt(out.slice(out.position(), r.length()), r.offset());
            out.position(out.position() + r.length());
        } catch (IOException | RuntimeException e) {
            out.position(start);
            reply(failed(r.handle(), e));
        }
    }

    private void blockStatus(Request.BlockStatus s) throws IOException {
        if (!session.baseAllocation()) {
            reply(error(s.handle(), NbdError.EINVAL, "no metadata context was selected: use SET_META_CONTEXT base:allocation"));
            return;
        }
        if (!inRange(s.handle(), s.offset(), s.length())) {
            return;
        }
        counters.blockStatus();
        try {
            List<BlockDescriptor> extents = Allocation.describe(session.export().allocated(s.offset(), s.length()), s.offset(), s.length(),
                    s.requestOne(), Allocation.MAX_DESCRIPTORS);
            reply(new Reply.BlockStatus(s.handle(), true, Session.BASE_ALLOCATION_ID, extents));
        } catch (IOException | RuntimeException e) {
            reply(failed(s.handle(), e));
        }
    }

    private void writeZeroBytes(long offset, long length) throws IOException {
        for (long done = 0; done < length; ) {
            int n = (int) Math.min(ZEROES.capacity(), length - done);
            device.writeAt(ZEROES.duplicate().limit(n), offset + done);
            done += n;
        }
    }

    /** A background request's work: does it and returns the reply's bytes; a failure is answered as an error. */
    private interface Work {
        ByteBuffer[] run() throws IOException;
    }

    private void inBackground(long handle, int cost, ByteBuffer owned, Work work) throws IOException {
        try {
            acquire(cost);
        } catch (IOException | RuntimeException e) {
            give(owned);
            throw e;
        }
        Runnable task = () -> {
            try {
                ByteBuffer[] reply;
                try {
                    reply = work.run();
                } catch (IOException | RuntimeException e) {
                    reply = new ByteBuffer[] {ReplyCodec.encode(failed(handle, e))};
                }
                writer.send(reply);
            } catch (IOException e) {
                sendFailure = e;
            } finally {
                give(owned);
                bytes.release(cost);
                requests.release();
            }
        };
        try {
            background.execute(task);
        } catch (RejectedExecutionException stopping) {
            give(owned);
            bytes.release(cost);
            requests.release();
            reply(error(handle, NbdError.ESHUTDOWN, "the server is stopping"));
        }
    }

    /** Takes a request slot and {@code cost} bytes, waiting (with the pending replies sent) when the limits are reached. */
    private void acquire(int cost) throws IOException {
        try {
            if (!requests.tryAcquire()) {
                writer.flush(); // the replies waiting here may be what the client waits for
                requests.acquire();
            }
            if (!bytes.tryAcquire(cost)) {
                writer.flush();
                try {
                    bytes.acquire(cost);
                } catch (InterruptedException e) {
                    requests.release();
                    throw e;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for requests in flight");
        }
    }

    private ByteBuffer[] ok(long handle, boolean flush) throws IOException {
        if (flush) {
            device.flush();
        }
        return new ByteBuffer[] {ReplyCodec.encode(new Reply.SimpleOk(handle))};
    }

    private boolean inRange(long handle, long offset, long length) throws IOException {
        long size = session.size();
        if (offset > size || length > size - offset) {
            reply(error(handle, NbdError.EINVAL, "range " + offset + "+" + length + " is beyond the export's " + size + " bytes"));
            return false;
        }
        return true;
    }

    private boolean writable(long handle) throws IOException {
        if (session.export().readOnly()) {
            reply(error(handle, NbdError.EPERM, "export '" + session.export().name() + "' is read-only"));
            return false;
        }
        return true;
    }

    /** Queues a reply of the reading thread. */
    private void reply(Reply reply) throws IOException {
        writer.reserve(ReplyCodec.encodedLength(reply));
        ReplyCodec.encode(reply, writer.buffer());
    }

    private Reply failed(long handle, Throwable failure) {
        NbdError error = Failures.errorOf(failure);
        if (error == NbdError.EIO) {
            LOG.log(System.Logger.Level.WARNING, "request on export '" + session.export().name() + "' failed", failure);
        }
        return error(handle, error, Failures.describe(failure));
    }

    private Reply error(long handle, NbdError error, String message) {
        counters.error();
        return session.structured() ? new Reply.Error(handle, true, error, message) : new Reply.SimpleError(handle, error);
    }

    private void give(ByteBuffer owned) {
        if (owned != null) {
            pool.give(owned);
        }
    }
}
