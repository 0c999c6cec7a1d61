package io.strata.domain;

import java.util.Locale;

/** Parses and prints byte counts with binary suffixes: {@code 4096}, {@code 512Ki}, {@code 1Gi}, {@code 2TiB}. */
public final class ByteSize {
    private static final String[] SUFFIXES = {"", "Ki", "Mi", "Gi", "Ti", "Pi"};

    private ByteSize() {}

    /**
     * Parses a size such as {@code 1Gi}, {@code 100MiB} or {@code 4096}.
     *
     * @throws StrataException.InvalidArgument when the text is not a non-negative size
     */
    public static long parse(String text) {
        if (text == null || text.isBlank()) {
            throw new StrataException.InvalidArgument("size is empty: give bytes or a number with Ki, Mi, Gi or Ti, e.g. 1Gi");
        }
        String t = text.strip();
        int end = 0;
        while (end < t.length() && Character.isDigit(t.charAt(end))) {
            end++;
        }
        String digits = t.substring(0, end);
        String suffix = t.substring(end);
        if (suffix.endsWith("B") && suffix.length() == 3) {
            suffix = suffix.substring(0, 2);
        }
        int power = -1;
        for (int i = 0; i < SUFFIXES.length; i++) {
            if (SUFFIXES[i].equals(suffix)) {
                power = i;
            }
        }
        if (digits.isEmpty() || power < 0) {
            throw new StrataException.InvalidArgument("invalid size '" + Names.shorten(text)
                    + "': give bytes or a number with Ki, Mi, Gi or Ti, e.g. 1Gi");
        }
        try {
            long value = Long.parseLong(digits);
            for (int i = 0; i < power; i++) {
                value = Math.multiplyExact(value, 1024L);
            }
            return value;
        } catch (ArithmeticException | NumberFormatException e) {
            throw new StrataException.InvalidArgument("size '" + Names.shorten(text) + "' is too large");
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
