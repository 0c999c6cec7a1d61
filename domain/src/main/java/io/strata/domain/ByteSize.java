package io.strata.domain;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses and prints byte counts. This is the one grammar for sizes that people type, in the CLI, the
 * REST API (string fields) and the web UI (which sends what was typed to the API):
 *
 * <pre>
 *   size = number [spaces] [unit]
 *   number = digits ["." digits]         1.5Gi is exact; 0.1Ki (102.4 bytes) is refused
 *   unit = Ki | Mi | Gi | Ti | Pi, each with an optional B (KiB ... PiB), or B alone
 * </pre>
 *
 * Units are binary (Kubernetes' {@code Ki}, {@code Gi}) and case-insensitive. Decimal units
 * ({@code k}, {@code M}, {@code G}, {@code T}, {@code P}, with or without {@code B}) are refused with the
 * binary spelling to use: a volume of "10GB" is a surprise either way (10^10 bytes is no whole number of
 * 4 KiB blocks), and one that says so is better than one rounded in silence.
 */
public final class ByteSize {
    /** Volume sizes are whole 4 KiB blocks. */
    public static final long VOLUME_ALIGNMENT = 4096;
    private static final String[] SUFFIXES = {"", "Ki", "Mi", "Gi", "Ti", "Pi"};
    private static final Pattern GRAMMAR = Pattern.compile("(\\d+(?:\\.\\d+)?) *([a-zA-Z]*)");
    private static final String HOW = "give bytes or a number with Ki, Mi, Gi or Ti, e.g. 1Gi or 1.5Gi";

    private ByteSize() {}

    /**
     * Parses a size such as {@code 1Gi}, {@code 1.5Gi}, {@code 100MiB}, {@code 512 Ki} or {@code 4096}.
     *
     * @throws StrataException.InvalidArgument when the text is not a non-negative whole number of bytes
     *         in that grammar; the message says what to type instead
     */
    public static long parse(String text) {
        if (text == null || text.isBlank()) {
            throw new StrataException.InvalidArgument("size is empty: " + HOW);
        }
        Matcher m = GRAMMAR.matcher(text.strip());
        if (!m.matches()) {
            throw new StrataException.InvalidArgument("invalid size '" + Names.shorten(text) + "': " + HOW);
        }
        String unit = m.group(2).toLowerCase(Locale.ROOT);
        if (unit.length() > 1 && unit.endsWith("b")) {
            unit = unit.substring(0, unit.length() - 1);
        } else if (unit.equals("b")) {
            unit = "";
        }
        int power = -1;
        for (int i = 0; i < SUFFIXES.length; i++) {
            if (SUFFIXES[i].toLowerCase(Locale.ROOT).equals(unit)) {
                power = i;
            }
        }
        BigDecimal number = new BigDecimal(m.group(1));
        if (power < 0) {
            int decimal = "kmgtp".indexOf(unit.isEmpty() ? '?' : unit.charAt(0));
            if (unit.length() == 1 && decimal >= 0) {
                String binary = m.group(1) + SUFFIXES[decimal + 1];
                throw new StrataException.InvalidArgument("size '" + Names.shorten(text) + "' has a decimal unit, which Strata does"
                        + " not take: write " + binary + " (" + exact(number, decimal + 1).map(String::valueOf).orElse("?")
                        + " bytes) for binary units, or the number of bytes");
            }
            throw new StrataException.InvalidArgument("invalid size '" + Names.shorten(text) + "': " + HOW);
        }
        Optional<Long> bytes = exact(number, power);
        if (bytes.isEmpty()) {
            throw new StrataException.InvalidArgument("size '" + Names.shorten(text) + "' is not a whole number of bytes"
                    + " (or is too large): " + HOW);
        }
        return bytes.get();
    }

    /**
     * Parses a volume's size: {@link #parse}, and then a positive multiple of {@value #VOLUME_ALIGNMENT}
     * bytes, exactly; nothing is rounded.
     *
     * @throws StrataException.InvalidArgument otherwise, saying which sizes around it would do
     */
    public static long parseVolumeSize(String text) {
        long bytes = parse(text);
        if (bytes <= 0 || bytes % VOLUME_ALIGNMENT != 0) {
            throw new StrataException.InvalidArgument("volume size '" + Names.shorten(text) + "' is " + bytes
                    + " bytes: a volume size is a positive multiple of 4 KiB (4096 bytes), e.g. 1Gi or "
                    + Math.max(VOLUME_ALIGNMENT, (bytes + VOLUME_ALIGNMENT - 1) / VOLUME_ALIGNMENT * VOLUME_ALIGNMENT));
        }
        return bytes;
    }

    /** {@code number × 1024^power} when it is a whole number of bytes that fits in a long. */
    private static Optional<Long> exact(BigDecimal number, int power) {
        try {
            return Optional.of(number.multiply(BigDecimal.valueOf(1024).pow(power)).longValueExact());
        } catch (ArithmeticException notWholeOrTooLarge) {
            return Optional.empty();
        }
    }

    /** Prints the largest exact binary unit, e.g. {@code 1Gi}, {@code 1536Mi}, {@code 4097}. */
    public static String format(long bytes) {
        if (bytes == 0) {
            return "0";
        }
        int power = 0;
        long value = bytes;
        while (power < SUFFIXES.length - 1 && value % 1024 == 0) {
            value /= 1024;
            power++;
        }
        return value + SUFFIXES[power];
    }

    /** Prints an approximate human size, e.g. {@code 1.5 GiB}. */
    public static String human(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        int power = 0;
        double value = bytes;
        while (value >= 1024 && power < SUFFIXES.length - 1) {
            value /= 1024;
            power++;
        }
        return String.format(Locale.ROOT, "%.1f %sB", value, SUFFIXES[power]);
    }
}
