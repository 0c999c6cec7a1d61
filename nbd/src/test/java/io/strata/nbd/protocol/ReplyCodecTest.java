package io.strata.nbd.protocol;

import static io.strata.nbd.protocol.Hex.bytes;
import static io.strata.nbd.protocol.Hex.hex;
import static io.strata.nbd.protocol.Hex.squeeze;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ReplyCodecTest {
    private static final String SIMPLE = "67446698";
    private static final String STRUCTURED = "668e33ef";
    private static final String HANDLE = "0102030405060708";
    private static final long H = 0x0102030405060708L;

    static Stream<Arguments> replies() {
        return Stream.of(
                Arguments.of("simple success", new Reply.SimpleOk(H), SIMPLE + "00000000" + HANDLE),
                Arguments.of("simple success with read data", new Reply.SimpleOk(H, bytes("aabb")), SIMPLE + "00000000" + HANDLE + "aabb"),
                Arguments.of("simple EPERM", new Reply.SimpleError(H, NbdError.EPERM), SIMPLE + "00000001" + HANDLE),
                Arguments.of("simple EINVAL", new Reply.SimpleError(H, NbdError.EINVAL), SIMPLE + "00000016" + HANDLE),
                Arguments.of("simple ESHUTDOWN", new Reply.SimpleError(H, NbdError.ESHUTDOWN), SIMPLE + "0000006c" + HANDLE),
                Arguments.of("NONE, done", new Reply.Done(H), STRUCTURED + "0001 0000" + HANDLE + "00000000"),
                Arguments.of("OFFSET_DATA, done", new Reply.OffsetData(H, true, 4096, bytes("0102")),
                        STRUCTURED + "0001 0001" + HANDLE + "0000000a 0000000000001000 0102"),
                Arguments.of("OFFSET_DATA, more to come", new Reply.OffsetData(H, false, 0, bytes("ff")),
                        STRUCTURED + "0000 0001" + HANDLE + "00000009 0000000000000000 ff"),
                Arguments.of("OFFSET_HOLE", new Reply.OffsetHole(H, false, 8192, 4096),
                        STRUCTURED + "0000 0002" + HANDLE + "0000000c 0000000000002000 00001000"),
                Arguments.of("BLOCK_STATUS", new Reply.BlockStatus(H, true, 1, List.of(
                                new BlockDescriptor(65536, 0), new BlockDescriptor(0xfff00000, 3))),
                        STRUCTURED + "0001 0005" + HANDLE + "00000014 00000001 00010000 00000000 fff00000 00000003"),
                Arguments.of("ERROR with a message", new Reply.Error(H, true, NbdError.EPERM, "ro"),
                        STRUCTURED + "0001 8001" + HANDLE + "00000008 00000001 0002 726f"),
                Arguments.of("ERROR without a message", new Reply.Error(H, true, NbdError.EIO, ""),
                        STRUCTURED + "0001 8001" + HANDLE + "00000006 00000005 0000"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("replies")
    void encodesReply(String name, Reply reply, String fixture) {
        assertThat(hex(ReplyCodec.encode(reply))).isEqualTo(squeeze(fixture));
        assertThat(ReplyCodec.encodedLength(reply)).isEqualTo(squeeze(fixture).length() / 2);
    }

    @Test
    void encodingLeavesTheDataBufferAsItWas() {
        ByteBuffer data = bytes("0102");
        ReplyCodec.encode(new Reply.OffsetData(H, true, 0, data));
        assertThat(data.remaining()).isEqualTo(2);
    }

    @Test
    void encodesAfterWhatIsAlreadyInTheBuffer() {
        ByteBuffer out = ByteBuffer.allocate(64).put((byte) 0x99);
        ReplyCodec.encode(new Reply.SimpleError(H, NbdError.EIO), out);
        assertThat(hex(out.flip())).isEqualTo(squeeze("99" + SIMPLE + "00000005" + HANDLE));
    }

    @Test
    void dataHeaderIsTheReplyUpToTheData() {
        for (boolean structured : new boolean[] {false, true}) {
            ByteBuffer header = ByteBuffer.allocate(ReplyCodec.dataHeaderLength(structured));
            ReplyCodec.encodeDataHeader(header, structured, H, 4096, 3);
            assertThat(header.hasRemaining()).isFalse();
            Reply whole = structured ? new Reply.OffsetData(H, true, 4096, bytes("aabbcc")) : new Reply.SimpleOk(H, bytes("aabbcc"));
            assertThat(hex(header.flip()) + "aabbcc").isEqualTo(hex(ReplyCodec.encode(whole)));
        }
    }

    @Test
    void longErrorMessagesAreCut() {
        ByteBuffer encoded = ReplyCodec.encode(new Reply.Error(H, true, NbdError.EIO, "x".repeat(10_000)));
        assertThat(encoded.getShort(24)).isEqualTo((short) Protocol.MAX_STRING);
        assertThat(encoded.remaining()).isEqualTo(Protocol.CHUNK_HEADER + 6 + Protocol.MAX_STRING);
    }
}
