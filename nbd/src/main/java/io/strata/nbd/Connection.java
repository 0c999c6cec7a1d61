package io.strata.nbd;

import io.strata.nbd.protocol.MalformedFrameException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.util.Optional;
import java.util.concurrent.Executor;

/**
 * One client, from accept to close: the handshake, then transmission. Whatever happens (a
 * malformed frame, the client vanishing, a bug), only this connection ends, and its export lease
 * is given back.
 */
final class Connection {
    private static final System.Logger LOG = System.getLogger(Connection.class.getName());

    private final long id;
    private final SocketChannel socket;
    private volatile SocketIo channel;
    private final Exports exports;
    private final NbdConfig config;
    private final BufferPool pool;
    private final Executor background;
    private final NbdCounters counters;
    private volatile boolean handshakeDone;
    private volatile Runnable onHandshakeDone = () -> { };

    Connection(long id, SocketChannel channel, Exports exports, NbdConfig config, BufferPool pool, Executor background,
               NbdCounters counters) {
        this.id = id;
        this.counters = counters;
        this.socket = channel;
        this.exports = exports;
        this.config = config;
        this.pool = pool;
        this.background = background;
    }

    /** Serves the client until it leaves or the connection is stopped; closes the socket. */
    void serve() {
        try {
            channel = new SocketIo(socket);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "NBD connection {0} could not be set up: {1}", id, e.toString());
            abort();
            return;
        }
        ByteBuffer inBuffer = pool.take(Transmission.BUFFER);
        ByteBuffer outBuffer = pool.take(Transmission.BUFFER);
        ReplyWriter writer = new ReplyWriter(channel, outBuffer);
        InputBuffer in = new InputBuffer(channel, inBuffer, writer::flush);
        Optional<Session> session = Optional.empty();
        try {
            try {
                session = new Handshake(in, channel, exports).run();
            } finally {
                handshakeDone = true;
                onHandshakeDone.run();
            }
            if (session.isPresent()) {
                LOG.log(System.Logger.Level.DEBUG, "connection {0} serves export ''{1}''", id, session.get().export().name());
                new Transmission(session.get(), in, writer, pool, background,
                        config.maxRequestsInFlight(), config.maxBytesInFlight(), counters).run();
            }
        } catch (MalformedFrameException e) {
            LOG.log(System.Logger.Level.WARNING, "closing NBD connection {0}: {1}", id, e.getMessage());
        } catch (ClosedChannelException e) {
            LOG.log(System.Logger.Level.DEBUG, "NBD connection {0} was closed", id);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "NBD connection {0} ended: {1}", id, e.toString());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "NBD connection " + id + " failed", e);
        } finally {
            abort();
            session.ifPresent(this::release);
            pool.give(inBuffer);
            pool.give(outBuffer);
            try {
                channel.release();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, "releasing NBD connection {0}: {1}", id, e.toString());
            }
        }
    }

    private void release(Session session) {
        try {
            session.export().close();
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "closing export '" + session.export().name() + "' failed", e);
        }
    }

    /** Runs {@code action} when the handshake is over; set before the connection is served. */
    void onHandshakeDone(Runnable action) {
        this.onHandshakeDone = action;
    }

    /** True once the handshake is over, whether the client chose an export or not. */
    boolean handshakeDone() {
        return handshakeDone;
    }

    /**
     * Asks the connection to end gracefully: it reads no more requests, and ends once the ones
     * read are answered.
     */
    void stop() {
        try {
            socket.shutdownInput();
        } catch (IOException e) {
            abort();
        }
        wakeUp();
    }

    /** Ends the connection at once. */
    void abort() {
        try {
            socket.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing NBD connection {0}: {1}", id, e.toString());
        }
        wakeUp();
    }

    /** A thread waiting in a selector does not notice a closed or shut down socket by itself. */
    private void wakeUp() {
        SocketIo io = channel;
        if (io != null) {
            io.wakeUp();
        }
    }
}
