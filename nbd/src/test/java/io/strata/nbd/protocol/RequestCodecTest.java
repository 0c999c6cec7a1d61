package io.strata.nbd.protocol;

import static io.strata.nbd.protocol.Hex.bytes;
import static io.strata.nbd.protocol.Hex.hex;
import static io.strata.nbd.protocol.Hex.squeeze;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RequestCodecTest {
    private static final String MAGIC = "25609513";
    private static final String HANDLE = "0102030405060708";
    private static final long H = 0x0102030405060708L;

    /** Every command, with the flags it may carry, as a client sends it. */
    static Stream<Arguments> requests() {
        return Stream.of(
                Arguments.of("READ", MAGIC + "0000 0000" + HANDLE + "0000000000001000 00000200",
                        new Request.Read(H, 4096, 512, false, false)),
                Arguments.of("READ with FUA and DF", MAGIC + "0005 0000" + HANDLE + "0000000000000000 00000001",
                        new Request.Read(H, 0, 1, true, true)),
                Arguments.of("WRITE", MAGIC + "0000 0001" + HANDLE + "0000000000000200 00000003 aabbcc",
                        new Request.Write(H, 512, bytes("aabbcc"), false)),
                Arguments.of("WRITE with FUA", MAGIC + "0001 0001" + HANDLE + "0000000000000000 00000001 ff",
                        new Request.Write(H, 0, bytes("ff"), true)),
                Arguments.of("DISC", MAGIC + "0000 0002" + HANDLE + "0000000000000000 00000000", new Request.Disconnect(H)),
                Arguments.of("FLUSH", MAGIC + "0000 0003" + HANDLE + "0000000000000000 00000000", new Request.Flush(H)),
                Arguments.of("FLUSH with FUA", MAGIC + "0001 0003" + HANDLE + "0000000000000000 00000000", new Request.Flush(H)),
                Arguments.of("TRIM", MAGIC + "0000 0004" + HANDLE + "0000000000010000 ffffffff",
                        new Request.Trim(H, 65536, 0xffffffffL, false)),
                Arguments.of("TRIM with FUA", MAGIC + "0001 0004" + HANDLE + "0000000000010000 00001000",
                        new Request.Trim(H, 65536, 4096, true)),
                Arguments.of("CACHE", MAGIC + "0000 0005" + HANDLE + "0000000000000000 00100000",
                        new Request.Cache(H, 0, 1 << 20)),
                Arguments.of("WRITE_ZEROES", MAGIC + "0000 0006" + HANDLE + "0000000000000000 80000000",
                        new Request.WriteZeroes(H, 0, 0x80000000L, false, false, false)),
                Arguments.of("WRITE_ZEROES with FUA, NO_HOLE, FAST_ZERO", MAGIC + "0013 0006" + HANDLE + "0000000000000000 00001000",
                        new Request.WriteZeroes(H, 0, 4096, true, true, true)),
                Arguments.of("BLOCK_STATUS", MAGIC + "0000 0007" + HANDLE + "0000000040000000 40000000",
                        new Request.BlockStatus(H, 1L << 30, 1L << 30, false)),
                Arguments.of("BLOCK_STATUS with REQ_ONE", MAGIC + "0008 0007" + HANDLE + "0000000000000000 00001000",
                        new Request.BlockStatus(H, 0, 4096, true)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("requests")
    void decodesRequest(String name, String fixture, Request expected) throws Exception {
        ByteBuffer in = bytes(fixture);
        assertThat(RequestCodec.decode(in)).isEqualTo(expected);
        assertThat(in.hasRemaining()).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("requests")
    void decodesRequestArrivingByteByByte(String name, String fixture, Request expected) throws Exception {
        byte[] all = bytes(fixture).array();
        ByteBuffer in = ByteBuffer.allocate(all.length);
        for (int i = 0; i < all.length - 1; i++) {
            in.put(all[i]).flip();
            assertThat(RequestCodec.decode(in)).as("after %d of %d bytes", i + 1, all.length).isNull();
            assertThat(in.position()).isZero();
            in.position(in.limit()).limit(in.capacity());
        }
        in.put(all[all.length - 1]).flip();
        assertThat(RequestCodec.decode(in)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("requests")
    void encodesRequestAsTheFixture(String name, String fixture, Request request) {
        if (name.equals("FLUSH with FUA")) {
            return; // FUA on FLUSH is accepted but means nothing: it is not kept
        }
        assertThat(hex(RequestCodec.encode(request))).isEqualTo(squeeze(fixture));
    }

    @Test
    void pipelinedRequestsDecodeOneAfterAnother() throws Exception {
        ByteBuffer in = bytes(MAGIC + "0000 0001" + HANDLE + "0000000000000000 00000002 abcd"
                + MAGIC + "0000 0003" + HANDLE + "0000000000000000 00000000"
                + MAGIC + "0000 0000");
        assertThat(RequestCodec.decode(in)).isEqualTo(new Request.Write(H, 0, bytes("abcd"), false));
        assertThat(RequestCodec.decode(in)).isEqualTo(new Request.Flush(H));
        assertThat(RequestCodec.decode(in)).isNull();
        assertThat(in.remaining()).isEqualTo(8);
    }

    @Test
    void headerAloneLeavesThePayloadForTheCaller() throws Exception {
        ByteBuffer in = bytes(MAGIC + "0001 0001" + HANDLE + "0000000000001000 00000004 0102");
        RequestHeader header = RequestCodec.decodeHeader(in);
        assertThat(header).isEqualTo(new RequestHeader(1, Request.WRITE, H, 4096, 4));
        assertThat(header.payloadLength()).isEqualTo(4);
        assertThat(in.remaining()).isEqualTo(2);
        assertThat(RequestCodec.request(header, bytes("01020304"))).isEqualTo(new Request.Write(H, 4096, bytes("01020304"), true));
    }

    @Test
    void writePayloadIsAViewOfTheInputNotACopy() throws Exception {
        ByteBuffer in = bytes(MAGIC + "0000 0001" + HANDLE + "0000000000000000 00000002 abcd");
        Request.Write write = (Request.Write) RequestCodec.decode(in);
        in.put(28, (byte) 0x11);
        assertThat(write.data().get(0)).isEqualTo((byte) 0x11);
    }

    /** Frames no honest client sends: the connection ends. */
    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("bad magic", "25609514 0000 0000" + HANDLE + "0000000000000000 00000200", "magic"),
                Arguments.of("reply magic as a request", "67446698 0000 0000" + HANDLE + "0000000000000000 00000200", "magic"),
                Arguments.of("RESIZE is unknown here", MAGIC + "0000 0008" + HANDLE + "0000000000000000 00000000", "unknown command 8"),
                Arguments.of("unknown command", MAGIC + "0000 ffff" + HANDLE + "0000000000000000 00000000", "unknown command 65535"),
                Arguments.of("READ over 32 MiB", MAGIC + "0000 0000" + HANDLE + "0000000000000000 02000001", "over the maximum"),
                Arguments.of("WRITE over 32 MiB", MAGIC + "0000 0001" + HANDLE + "0000000000000000 ffffffff", "over the maximum"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void malformedFrameThrows(String name, String fixture, String message) {
        assertThatThrownBy(() -> RequestCodec.decode(bytes(fixture)))
                .isInstanceOf(MalformedFrameException.class)
                .hasMessageContaining(message);
    }

    @Test
    void largestPayloadIsAccepted() throws Exception {
        RequestHeader header = RequestCodec.decodeHeader(bytes(MAGIC + "0000 0001" + HANDLE + "0000000000000000 02000000"));
        assertThat(header.payloadLength()).isEqualTo(Protocol.MAX_PAYLOAD);
    }

    /** Well-framed requests with bad fields: answered with EINVAL, the connection goes on. */
    static Stream<Arguments> invalid() {
        return Stream.of(
                Arguments.of("unknown flag", MAGIC + "0040 0000" + HANDLE + "0000000000000000 00000200", "unknown flags 0x0040"),
                Arguments.of("DF on WRITE", MAGIC + "0004 0001" + HANDLE + "0000000000000000 00000001 00", "not valid"),
                Arguments.of("NO_HOLE on TRIM", MAGIC + "0002 0004" + HANDLE + "0000000000000000 00000200", "not valid"),
                Arguments.of("REQ_ONE on READ", MAGIC + "0008 0000" + HANDLE + "0000000000000000 00000200", "not valid"),
                Arguments.of("FAST_ZERO on WRITE", MAGIC + "0010 0001" + HANDLE + "0000000000000000 00000001 00", "not valid"),
                Arguments.of("FLUSH with a range", MAGIC + "0000 0003" + HANDLE + "0000000000000000 00001000", "offset and length 0"),
                Arguments.of("READ of nothing", MAGIC + "0000 0000" + HANDLE + "0000000000000000 00000000", "length 0"),
                Arguments.of("TRIM of nothing", MAGIC + "0000 0004" + HANDLE + "0000000000001000 00000000", "length 0"),
                Arguments.of("offset over 2^63", MAGIC + "0000 0000" + HANDLE + "8000000000000000 00000200", "over 2^63"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void invalidFieldsDecodeAsInvalid(String name, String fixture, String reason) throws Exception {
        ByteBuffer in = bytes(fixture);
        Request request = RequestCodec.decode(in);
        assertThat(request).isInstanceOf(Request.Invalid.class);
        assertThat(request.handle()).isEqualTo(H);
        assertThat(((Request.Invalid) request).reason()).contains(reason);
        assertThat(in.hasRemaining()).as("a WRITE's payload is consumed too").isFalse();
    }

    /** Property: any request the codec can encode decodes to itself, whole or split anywhere. */
    @RepeatedTest(20)
    void randomRequestsRoundTrip() throws Exception {
        Random random = new Random();
        for (int i = 0; i < 200; i++) {
            Request request = randomRequest(random);
            ByteBuffer bytes = RequestCodec.encode(request);
            int split = random.nextInt(bytes.remaining() + 1);
            ByteBuffer in = ByteBuffer.allocate(bytes.remaining());
            in.put(bytes.slice(0, split)).flip();
            Request early = RequestCodec.decode(in);
            in.position(in.limit()).limit(in.capacity()).put(bytes.slice(split, bytes.remaining() - split)).flip();
            Request decoded = early != null ? early : RequestCodec.decode(in);
            assertThat(decoded).as("%s split at %d", request, split).isEqualTo(request);
            assertThat(early == null || split == bytes.remaining()).isTrue();
        }
    }

    private static Request randomRequest(Random random) {
        long handle = random.nextLong();
        long offset = random.nextLong() & Long.MAX_VALUE;
        long length = 1 + (random.nextLong() & 0xfffffffeL);
        return switch (random.nextInt(8)) {
            case 0 -> new Request.Read(handle, offset, 1 + random.nextInt(Protocol.MAX_PAYLOAD), random.nextBoolean(), random.nextBoolean());
            case 1 -> {
                byte[] data = new byte[1 + random.nextInt(300)];
                random.nextBytes(data);
                yield new Request.Write(handle, offset, ByteBuffer.wrap(data), random.nextBoolean());
            }
            case 2 -> new Request.Disconnect(handle);
            case 3 -> new Request.Flush(handle);
            case 4 -> new Request.Trim(handle, offset, length, random.nextBoolean());
            case 5 -> new Request.Cache(handle, offset, length);
            case 6 -> new Request.WriteZeroes(handle, offset, length, random.nextBoolean(), random.nextBoolean(), random.nextBoolean());
            default -> new Request.BlockStatus(handle, offset, length, random.nextBoolean());
        };
    }
}
