package io.strata.nbd.protocol;

import static io.strata.nbd.protocol.Hex.ascii;
import static io.strata.nbd.protocol.Hex.bytes;
import static io.strata.nbd.protocol.Hex.hex;
import static io.strata.nbd.protocol.Hex.squeeze;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class HandshakeCodecTest {
    private static final String IHAVEOPT = "49484156454f5054";
    private static final String REPLY_MAGIC = "0003e889045565a9";

    @Test
    void greetingIsNbdmagicIhaveoptAndFixedNewstyleWithNoZeroes() {
        assertThat(hex(HandshakeCodec.greeting())).isEqualTo(squeeze("4e42444d41474943" + IHAVEOPT + "0003"));
    }

    @Test
    void clientFlags() throws Exception {
        assertThat(HandshakeCodec.decodeClientFlags(bytes("00000001"))).isEqualTo(new HandshakeCodec.ClientFlags(true, false));
        assertThat(HandshakeCodec.decodeClientFlags(bytes("00000003"))).isEqualTo(new HandshakeCodec.ClientFlags(true, true));
        assertThat(HandshakeCodec.decodeClientFlags(bytes("00000000"))).isEqualTo(new HandshakeCodec.ClientFlags(false, false));
        ByteBuffer partial = bytes("000000");
        assertThat(HandshakeCodec.decodeClientFlags(partial)).isNull();
        assertThat(partial.position()).isZero();
    }

    @Test
    void clientFlagsWeDidNotOfferAreMalformed() {
        assertThatThrownBy(() -> HandshakeCodec.decodeClientFlags(bytes("00000004")))
                .isInstanceOf(MalformedFrameException.class)
                .hasMessageContaining("0x00000004");
    }

    /** Every option we understand, as a client sends it. */
    static Stream<Arguments> options() {
        return Stream.of(
                Arguments.of("EXPORT_NAME", IHAVEOPT + "00000001 00000004" + ascii("vol1"), new Option.ExportName("vol1")),
                Arguments.of("EXPORT_NAME default", IHAVEOPT + "00000001 00000000", new Option.ExportName("")),
                Arguments.of("ABORT", IHAVEOPT + "00000002 00000000", new Option.Abort()),
                Arguments.of("LIST", IHAVEOPT + "00000003 00000000", new Option.ListExports()),
                Arguments.of("STARTTLS is unsupported", IHAVEOPT + "00000005 00000000", new Option.Unsupported(5)),
                Arguments.of("INFO", IHAVEOPT + "00000006 0000000e 00000004" + ascii("vol1") + "0002 0003 0001",
                        new Option.Info(false, "vol1", Set.of(InfoType.BLOCK_SIZE, InfoType.NAME))),
                Arguments.of("GO, unknown info request ignored", IHAVEOPT + "00000007 00000010 00000004" + ascii("vol1")
                        + "0003 0002 0099 0000", new Option.Info(true, "vol1", Set.of(InfoType.DESCRIPTION, InfoType.EXPORT))),
                Arguments.of("GO, no requests", IHAVEOPT + "00000007 0000000a 00000004" + ascii("a@b1") + "0000",
                        new Option.Info(true, "a@b1", Set.of())),
                Arguments.of("STRUCTURED_REPLY", IHAVEOPT + "00000008 00000000", new Option.StructuredReply()),
                Arguments.of("LIST_META_CONTEXT, no query", IHAVEOPT + "00000009 0000000c 00000004" + ascii("vol1") + "00000000",
                        new Option.MetaContext(false, "vol1", List.of())),
                Arguments.of("SET_META_CONTEXT", IHAVEOPT + "0000000a 0000001f 00000004" + ascii("vol1") + "00000001 0000000f"
                        + ascii("base:allocation"), new Option.MetaContext(true, "vol1", List.of("base:allocation"))),
                Arguments.of("EXTENDED_HEADERS is unsupported", IHAVEOPT + "0000000b 00000000", new Option.Unsupported(11)),
                Arguments.of("an unknown option, data skipped", IHAVEOPT + "00000063 00000003 616263", new Option.Unsupported(99)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("options")
    void decodesOption(String name, String fixture, Option expected) throws Exception {
        ByteBuffer in = bytes(fixture);
        assertThat(HandshakeCodec.decodeOption(in)).isEqualTo(expected);
        assertThat(in.hasRemaining()).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("options")
    void decodesOptionArrivingByteByByte(String name, String fixture, Option expected) throws Exception {
        byte[] all = bytes(fixture).array();
        ByteBuffer in = ByteBuffer.allocate(all.length);
        for (int i = 0; i < all.length - 1; i++) {
            in.put(all[i]).flip();
            assertThat(HandshakeCodec.decodeOption(in)).as("after %d of %d bytes", i + 1, all.length).isNull();
            assertThat(in.position()).isZero();
            in.position(in.limit()).limit(in.capacity());
        }
        in.put(all[all.length - 1]).flip();
        assertThat(HandshakeCodec.decodeOption(in)).isEqualTo(expected);
    }

    @Test
    void decodesOptionsOneAfterAnother() throws Exception {
        ByteBuffer in = bytes(IHAVEOPT + "00000008 00000000" + IHAVEOPT + "00000003 00000000" + IHAVEOPT + "0000");
        assertThat(HandshakeCodec.decodeOption(in)).isEqualTo(new Option.StructuredReply());
        assertThat(HandshakeCodec.decodeOption(in)).isEqualTo(new Option.ListExports());
        assertThat(HandshakeCodec.decodeOption(in)).isNull();
        assertThat(in.remaining()).isEqualTo(10);
    }

    /** Known options whose data is wrong: answered with ERR_INVALID, the handshake goes on. */
    static Stream<Arguments> invalidOptions() {
        return Stream.of(
                Arguments.of("LIST with data", IHAVEOPT + "00000003 00000001 00", 3),
                Arguments.of("STRUCTURED_REPLY with data", IHAVEOPT + "00000008 00000001 00", 8),
                Arguments.of("INFO name longer than the data", IHAVEOPT + "00000006 00000006 00000009 6162", 6),
                Arguments.of("GO without the request count", IHAVEOPT + "00000007 00000005 00000001 61", 7),
                Arguments.of("GO announcing more requests than sent", IHAVEOPT + "00000007 00000009 00000001 61 0002 0001", 7),
                Arguments.of("GO with trailing bytes", IHAVEOPT + "00000007 0000000a 00000001 61 0001 0001 00", 7),
                Arguments.of("GO name not UTF-8", IHAVEOPT + "00000007 00000008 00000002 c328 0000", 7),
                Arguments.of("GO name holding NUL", IHAVEOPT + "00000007 00000008 00000002 6100 0000", 7),
                Arguments.of("EXPORT_NAME not UTF-8", IHAVEOPT + "00000001 00000001 ff", 1),
                Arguments.of("SET_META_CONTEXT query cut short", IHAVEOPT + "0000000a 0000000e 00000001 61 00000001 00000009 62", 10),
                Arguments.of("LIST_META_CONTEXT with trailing bytes", IHAVEOPT + "00000009 0000000a 00000001 61 00000000 ff", 9),
                Arguments.of("LIST_META_CONTEXT without the query count", IHAVEOPT + "00000009 00000005 00000001 61", 9));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidOptions")
    void invalidOptionDataIsAnInvalidOption(String name, String fixture, int code) throws Exception {
        ByteBuffer in = bytes(fixture);
        Option option = HandshakeCodec.decodeOption(in);
        assertThat(option).isInstanceOf(Option.Invalid.class);
        assertThat(option.code()).isEqualTo(code);
        assertThat(in.hasRemaining()).as("the whole option is consumed, so the next one can be read").isFalse();
    }

    @Test
    void overlongNameIsInvalid() throws Exception {
        String name = "a".repeat(Protocol.MAX_STRING + 1);
        ByteBuffer in = ByteBuffer.allocate(16 + name.length())
                .putLong(Protocol.OPTION_MAGIC).putInt(Option.EXPORT_NAME).putInt(name.length()).put(name.getBytes()).flip();
        assertThat(HandshakeCodec.decodeOption(in)).isInstanceOf(Option.Invalid.class);
    }

    @Test
    void badMagicIsMalformed() {
        assertThatThrownBy(() -> HandshakeCodec.decodeOption(bytes("4948415645" + "4f5055" + "00000001 00000000")))
                .isInstanceOf(MalformedFrameException.class)
                .hasMessageContaining("not IHAVEOPT");
    }

    @Test
    void optionDataOverTheLimitIsMalformedBeforeItArrives() {
        assertThatThrownBy(() -> HandshakeCodec.decodeOption(bytes(IHAVEOPT + "00000001 00010001")))
                .isInstanceOf(MalformedFrameException.class)
                .hasMessageContaining("65537 bytes");
        assertThatThrownBy(() -> HandshakeCodec.decodeOption(bytes(IHAVEOPT + "00000063 ffffffff")))
                .isInstanceOf(MalformedFrameException.class);
    }

    static Stream<Arguments> replies() {
        return Stream.of(
                Arguments.of(new OptionReply.Ack(8), REPLY_MAGIC + "00000008 00000001 00000000"),
                Arguments.of(new OptionReply.Server(3, "vol1"), REPLY_MAGIC + "00000003 00000002 00000008 00000004" + ascii("vol1")),
                Arguments.of(new OptionReply.ExportInfo(7, 0x4000000L, 0x0d6d),
                        REPLY_MAGIC + "00000007 00000003 0000000c 0000 0000000004000000 0d6d"),
                Arguments.of(new OptionReply.NameInfo(6, "v"), REPLY_MAGIC + "00000006 00000003 00000003 0001 76"),
                Arguments.of(new OptionReply.DescriptionInfo(6, "d"), REPLY_MAGIC + "00000006 00000003 00000003 0002 64"),
                Arguments.of(new OptionReply.BlockSizeInfo(7, 1, 4096, 32 << 20),
                        REPLY_MAGIC + "00000007 00000003 0000000e 0003 00000001 00001000 02000000"),
                Arguments.of(new OptionReply.MetaContext(10, 1, "base:allocation"),
                        REPLY_MAGIC + "0000000a 00000004 00000013 00000001" + ascii("base:allocation")),
                Arguments.of(new OptionReply.Error(99, OptionError.UNSUP, "no"), REPLY_MAGIC + "00000063 80000001 00000002 6e6f"),
                Arguments.of(new OptionReply.Error(7, OptionError.UNKNOWN, ""), REPLY_MAGIC + "00000007 80000006 00000000"),
                Arguments.of(new OptionReply.Error(9, OptionError.INVALID, ""), REPLY_MAGIC + "00000009 80000003 00000000"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("replies")
    void encodesReply(OptionReply reply, String fixture) {
        assertThat(hex(HandshakeCodec.encode(reply))).isEqualTo(squeeze(fixture));
    }

    @Test
    void errorMessagesAreCutToTheLongestString() {
        ByteBuffer encoded = HandshakeCodec.encode(new OptionReply.Error(1, OptionError.POLICY, "é".repeat(3000)));
        assertThat(encoded.getInt(16)).isEqualTo(4096);
        assertThat(encoded.remaining()).isEqualTo(20 + 4096);
    }

    @Test
    void exportNameReplyWithAndWithoutZeroes() {
        assertThat(hex(HandshakeCodec.encodeExportNameReply(1 << 20, 0x0003, true))).isEqualTo("00000000001000000003");
        assertThat(hex(HandshakeCodec.encodeExportNameReply(1 << 20, 0x0003, false)))
                .isEqualTo("00000000001000000003" + "00".repeat(124));
    }
}
