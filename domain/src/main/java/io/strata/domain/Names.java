package io.strata.domain;

import java.util.regex.Pattern;

/** The one rule for names of volumes, snapshots and backups, so that a name is never a path. */
final class Names {
    static final int MAX_LENGTH = 63;
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

    private Names() {}

    static String check(String kind, String value) {
        if (value == null || value.isEmpty()) {
            throw new StrataException.InvalidArgument(kind + " name is empty: give 1-" + MAX_LENGTH
                    + " letters, digits, '-', '_' or '.', starting with a letter or digit");
        }
        if (value.length() > MAX_LENGTH) {
            throw new StrataException.InvalidArgument(kind + " name '" + shorten(value) + "' is "
                    + value.length() + " characters long: at most " + MAX_LENGTH + " are allowed");
        }
        if (!VALID.matcher(value).matches()) {
            throw new StrataException.InvalidArgument("invalid " + kind + " name '" + shorten(value)
                    + "': use only letters, digits, '-', '_' or '.', starting with a letter or digit");
        }
        return value;
    }

    /** Keeps hostile input out of messages and logs: long values are cut, control chars escaped. */
    static String shorten(String value) {
        String cut = value.length() > 80 ? value.substring(0, 80) + "..." : value;
        StringBuilder out = new StringBuilder(cut.length());
        for (char c : cut.toCharArray()) {
            if (c < 0x20 || c == 0x7f) {
                out.append(String.format("\\x%02x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
