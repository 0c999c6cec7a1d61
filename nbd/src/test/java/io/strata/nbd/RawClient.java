package io.strata.nbd;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.nbd.protocol.Protocol;
import io.strata.nbd.protocol.Request;
import io.strata.nbd.protocol.RequestCodec;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A client that speaks the protocol byte by byte, for what no well-behaved client does: garbage,
 * half frames, hostile lengths, and for watching the order of replies. Every read has a timeout.
 */
final class RawClient implements AutoCloseable {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private final SocketChannel channel;
    private final ExecutorService reader = Executors.newVirtualThreadPerTaskExecutor();

    private RawClient(SocketChannel channel) {
        this.channel = channel;
    }

    static RawClient connect(Path socket) throws IOException {
        return new RawClient(SocketChannel.open(UnixDomainSocketAddress.of(socket)));
    }

    /**
     * Connects over TCP from source address {@code from}: on Linux every 127.x.y.z is this machine,
     * so that one test can be several clients (127.0.0.1, 127.0.0.2, ...) to the server.
     */
    static RawClient connect(InetSocketAddress server, InetAddress from) throws IOException {
        SocketChannel channel = SocketChannel.open();
        try {
            channel.bind(new InetSocketAddress(from, 0));
            channel.connect(server);
            return new RawClient(channel);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** A simple reply as read off the wire. */
    record SimpleReply(int error, long handle) {}

    void send(ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
    }

    void send(Request request) throws IOException {
        send(RequestCodec.encode(request));
    }

    /** Reads exactly {@code n} bytes, failing after the timeout; EOFException at the end of the stream. */
    ByteBuffer read(int n) throws IOException {
        return read(n, TIMEOUT);
    }

    /** Reads exactly {@code n} bytes, failing after {@code timeout}. */
    ByteBuffer read(int n, Duration timeout) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(n);
        Future<Integer> done = reader.submit(() -> {
            while (buffer.hasRemaining()) {
                if (channel.read(buffer) < 0) {
                    return -1;
                }
            }
            return n;
        });
        try {
            if (done.get(timeout.toMillis(), TimeUnit.MILLISECONDS) < 0) {
                throw new EOFException("the server closed the connection after " + buffer.position() + " of " + n + " bytes");
            }
        } catch (TimeoutException e) {
            done.cancel(true);
            throw new IOException("no " + n + " bytes within " + timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        } catch (ExecutionException e) {
            throw new IOException(e.getCause());
        }
        return buffer.flip();
    }

    /** True when the server closes the connection (after any bytes still in flight) within {@code within}. */
    boolean closedByServer(Duration within) throws IOException {
        long deadline = System.nanoTime() + within.toNanos();
        ByteBuffer sink = ByteBuffer.allocate(1 << 16);
        Future<Boolean> eof = reader.submit(() -> {
            while (true) {
                sink.clear();
                try {
                    if (channel.read(sink) < 0) {
                        return true;
                    }
                } catch (IOException reset) {
                    return true;
                }
            }
        });
        try {
            return eof.get(Math.max(1, (deadline - System.nanoTime()) / 1_000_000), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            eof.cancel(true);
            return false;
        } catch (InterruptedException | ExecutionException e) {
            throw new IOException(e);
        }
    }

    /** Reads the greeting and answers with fixed newstyle (and NO_ZEROES if asked). */
    void greet(boolean noZeroes) throws IOException {
        ByteBuffer greeting = read(18);
        assertThat(greeting.getLong(0)).isEqualTo(Protocol.NBD_MAGIC);
        assertThat(greeting.getLong(8)).isEqualTo(Protocol.OPTION_MAGIC);
        send(ByteBuffer.allocate(4).putInt(Protocol.CLIENT_FIXED_NEWSTYLE | (noZeroes ? Protocol.CLIENT_NO_ZEROES : 0)).flip());
    }

    void sendOption(int option, ByteBuffer data) throws IOException {
        send(ByteBuffer.allocate(16 + data.remaining()).putLong(Protocol.OPTION_MAGIC).putInt(option).putInt(data.remaining())
                .put(data).flip());
    }

    /** One option reply: its type and data. */
    record OptionAnswer(int option, int type, ByteBuffer data) {}

    OptionAnswer readOptionReply() throws IOException {
        ByteBuffer header = read(20);
        assertThat(header.getLong(0)).isEqualTo(Protocol.OPTION_REPLY_MAGIC);
        int length = header.getInt(16);
        return new OptionAnswer(header.getInt(8), header.getInt(12), length == 0 ? ByteBuffer.allocate(0) : read(length));
    }

    /** Greets, optionally negotiates structured replies, and GOes to {@code name}; returns the export's size. */
    long open(String name, boolean structured) throws IOException {
        greet(true);
        if (structured) {
            sendOption(8, ByteBuffer.allocate(0));
            assertThat(readOptionReply().type()).isEqualTo(1);
        }
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        sendOption(7, ByteBuffer.allocate(6 + bytes.length).putInt(bytes.length).put(bytes).putShort((short) 0).flip());
        long size = -1;
        while (true) {
            OptionAnswer answer = readOptionReply();
            if (answer.type() == 1) {
                return size;
            }
            assertThat(answer.type()).as("reply to GO").isEqualTo(3);
            if (answer.data().getShort(0) == 0) {
                size = answer.data().getLong(2);
            }
        }
    }

    SimpleReply readSimpleReply() throws IOException {
        ByteBuffer reply = read(16);
        assertThat(reply.getInt(0)).isEqualTo(Protocol.SIMPLE_REPLY_MAGIC);
        return new SimpleReply(reply.getInt(4), reply.getLong(8));
    }

    void write(long handle, long offset, byte[] data) throws IOException {
        send(new Request.Write(handle, offset, ByteBuffer.wrap(data), false));
    }

    /** Reads {@code length} bytes over simple replies; the reply must succeed. */
    byte[] read(long handle, long offset, int length) throws IOException {
        send(new Request.Read(handle, offset, length, false, false));
        assertThat(readSimpleReply()).isEqualTo(new SimpleReply(0, handle));
        return read(length).array();
    }

    @Override
    public void close() throws IOException {
        reader.shutdownNow();
        channel.close();
    }
}
