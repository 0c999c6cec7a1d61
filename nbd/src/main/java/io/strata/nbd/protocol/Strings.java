package io.strata.nbd.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** Protocol strings: UTF-8, no NUL, at most {@link Protocol#MAX_STRING} bytes. */
final class Strings {
    private Strings() {}

    /** Decodes {@code length} bytes of {@code in} (consumed in any case); empty when not a valid protocol string. */
    static Optional<String> decode(ByteBuffer in, int length) {
        ByteBuffer bytes = in.slice(in.position(), length);
        in.position(in.position() + length);
        if (length > Protocol.MAX_STRING) {
            return Optional.empty();
        }
        try {
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(bytes).toString();
            return text.indexOf('\0') >= 0 ? Optional.empty() : Optional.of(text);
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }

    /** The UTF-8 bytes of {@code text}, cut (at a character boundary) to at most {@code max} bytes. */
    static byte[] encode(String text, int max) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        String cut = text;
        while (bytes.length > max) {
            cut = cut.substring(0, Math.min(cut.length() - 1, max));
            bytes = cut.getBytes(StandardCharsets.UTF_8);
        }
        return bytes;
    }

    static byte[] encode(String text) {
        return encode(text, Protocol.MAX_STRING);
    }
}
