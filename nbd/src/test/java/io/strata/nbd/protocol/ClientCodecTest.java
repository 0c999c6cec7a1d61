package io.strata.nbd.protocol;

import static io.strata.nbd.protocol.Hex.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The client's side of the codec: what it sends reads back as the server's decoder reads it, and the reverse. */
class ClientCodecTest {
    private static final long H = 0x0102030405060708L;

    static Stream<Arguments> options() {
        return Stream.of(
                Arguments.of(Named.of("STRUCTURED_REPLY", new Option.StructuredReply())),
                Arguments.of(Named.of("GO with no requests", new Option.Info(true, "db@before", Set.of()))),
                Arguments.of(Named.of("INFO with requests", new Option.Info(false, "db", Set.of(InfoType.NAME, InfoType.BLOCK_SIZE)))),
                Arguments.of(Named.of("SET_META_CONTEXT", new Option.MetaContext(true, "db", List.of(Protocol.BASE_ALLOCATION)))),
                Arguments.of(Named.of("EXPORT_NAME", new Option.ExportName("vol-1"))),
                Arguments.of(Named.of("ABORT", new Option.Abort())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("options")
    void optionsReadBackAsTheServerReadsThem(Option option) throws Exception {
        ByteBuffer bytes = ClientCodec.encodeOption(option);
        assertThat(HandshakeCodec.decodeOption(bytes)).isEqualTo(option);
        assertThat(bytes.hasRemaining()).isFalse();
    }

    static Stream<Arguments> optionReplies() {
        return Stream.of(
                Arguments.of(Named.of("ACK", new OptionReply.Ack(Option.GO))),
                Arguments.of(Named.of("export info", new OptionReply.ExportInfo(Option.GO, 1L << 40, Protocol.HAS_FLAGS | Protocol.READ_ONLY))),
                Arguments.of(Named.of("block size", new OptionReply.BlockSizeInfo(Option.GO, 1, 4096, 32 << 20))),
                Arguments.of(Named.of("name", new OptionReply.NameInfo(Option.INFO, "db"))),
                Arguments.of(Named.of("meta context", new OptionReply.MetaContext(Option.SET_META_CONTEXT, 1, Protocol.BASE_ALLOCATION))),
                Arguments.of(Named.of("server", new OptionReply.Server(Option.LIST, "db@s1"))),
                Arguments.of(Named.of("unknown export", new OptionReply.Error(Option.GO, OptionError.UNKNOWN, "no volume 'x'"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("optionReplies")
    void optionRepliesReadBackWholeAndNotBeforeTheirLastByte(OptionReply reply) throws Exception {
        ByteBuffer bytes = HandshakeCodec.encode(reply);
        for (int cut = 0; cut < bytes.remaining(); cut++) {
            ByteBuffer part = bytes.slice(0, cut);
            assertThat(ClientCodec.decodeOptionReply(part)).as("cut at %d", cut).isNull();
            assertThat(part.position()).isZero();
        }
        assertThat(ClientCodec.decodeOptionReply(bytes)).isEqualTo(reply);
    }

    static Stream<Arguments> replies() {
        return Stream.of(
                Arguments.of(Named.of("NONE", new Reply.Done(H))),
                Arguments.of(Named.of("OFFSET_DATA", new Reply.OffsetData(H, true, 4096, bytes("0102030405")))),
                Arguments.of(Named.of("OFFSET_HOLE", new Reply.OffsetHole(H, false, 8192, 4096))),
                Arguments.of(Named.of("BLOCK_STATUS", new Reply.BlockStatus(H, true, 1,
                        List.of(new BlockDescriptor(65536, 0), new BlockDescriptor(0xfff00000, 3))))),
                Arguments.of(Named.of("ERROR", new Reply.Error(H, true, NbdError.ENOSPC, "full"))),
                Arguments.of(Named.of("simple error", new Reply.SimpleError(H, NbdError.EPERM))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("replies")
    void repliesReadBackWholeAndNotBeforeTheirLastByte(Reply reply) throws Exception {
        ByteBuffer bytes = ReplyCodec.encode(reply);
        for (int cut = 0; cut < bytes.remaining(); cut++) {
            assertThat(ClientCodec.decodeReply(bytes.slice(0, cut))).as("cut at %d", cut).isNull();
        }
        Reply decoded = ClientCodec.decodeReply(bytes);
        if (reply instanceof Reply.OffsetData d) {
            assertThat(decoded).isInstanceOfSatisfying(Reply.OffsetData.class, got -> {
                assertThat(got.offset()).isEqualTo(d.offset());
                assertThat(got.data()).isEqualTo(d.data());
            });
        } else {
            assertThat(decoded).isEqualTo(reply);
        }
        assertThat(bytes.hasRemaining()).isFalse();
    }

    @Test
    void aGreetingIsReadAndAForeignOneRefused() throws Exception {
        assertThat(ClientCodec.decodeGreeting(HandshakeCodec.greeting())).isEqualTo(HandshakeCodec.SERVER_FLAGS);
        assertThat(ClientCodec.decodeGreeting(HandshakeCodec.greeting().limit(17))).isNull();
        assertThatThrownBy(() -> ClientCodec.decodeGreeting(ByteBuffer.wrap(new byte[18]))).isInstanceOf(MalformedFrameException.class);
        assertThat(HandshakeCodec.decodeClientFlags(ClientCodec.encodeClientFlags(true)))
                .isEqualTo(new HandshakeCodec.ClientFlags(true, true));
    }

    @Test
    void malformedRepliesAreRefused() {
        assertThatThrownBy(() -> ClientCodec.decodeReply(bytes("deadbeef 00000000 0000000000000000"))).isInstanceOf(MalformedFrameException.class);
        // a chunk announcing more than any server may send
        assertThatThrownBy(() -> ClientCodec.decodeReply(bytes("668e33ef 0001 0001 0102030405060708 7fffffff")))
                .isInstanceOf(MalformedFrameException.class);
        // BLOCK_STATUS whose descriptors do not come in 8 bytes
        assertThatThrownBy(() -> ClientCodec.decodeReply(bytes("668e33ef 0001 0005 0102030405060708 00000007 00000001 000000")))
                .isInstanceOf(MalformedFrameException.class);
    }
}
