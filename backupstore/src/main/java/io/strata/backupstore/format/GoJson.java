package io.strata.backupstore.format;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;

/**
 * JSON strings exactly as Go's {@code encoding/json} (Marshal, which escapes HTML) writes them, so that
 * a cfg Strata writes is byte for byte what Longhorn's code writes for the same values:
 *
 * <ul>
 *   <li>{@code "} and {@code \} are backslashed; {@code \b \f \n \r \t} take their short forms;</li>
 *   <li>other control characters, and {@code < > &}, are <code>&#92;u00XX</code> with lowercase hex;</li>
 *   <li>U+2028 and U+2029 are <code>&#92;u2028</code> and <code>&#92;u2029</code>;</li>
 *   <li>a lone surrogate (Go: an invalid UTF-8 byte) is <code>&#92;ufffd</code>; everything else is plain UTF-8.</li>
 * </ul>
 *
 * Map keys are sorted as Go sorts them: by their UTF-8 bytes.
 */
final class GoJson {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    /** Orders map keys as Go's encoder does. */
    static final Comparator<String> KEY_ORDER = (a, b) -> Arrays.compareUnsigned(
            a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));

    private GoJson() {}

    /** {@code text} as a JSON string literal, quotes included. */
    static String quote(String text) {
        StringBuilder out = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"', '\\' -> out.append('\\').append(c);
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '<', '>', '&' -> unicode(out, c);
                case '\u2028', '\u2029' -> unicode(out, c);
                default -> {
                    if (c < 0x20) {
                        unicode(out, c);
                    } else if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                        out.append(c).append(text.charAt(++i));
                    } else if (Character.isSurrogate(c)) {
                        out.append("\\ufffd");
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    private static void unicode(StringBuilder out, char c) {
        out.append("\\u").append(HEX[c >> 12 & 0xf]).append(HEX[c >> 8 & 0xf]).append(HEX[c >> 4 & 0xf]).append(HEX[c & 0xf]);
    }
}
