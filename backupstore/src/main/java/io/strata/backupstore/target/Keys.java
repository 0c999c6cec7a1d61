package io.strata.backupstore.target;

import io.strata.domain.StrataException;

/**
 * The one check every target applies to keys, so that a key is never a way out of the store. Public
 * because targets in other packages (S3) apply it too.
 */
public final class Keys {
    private Keys() {}

    /** Returns {@code key} when it is a valid backupstore key; else throws InvalidArgument and nothing is touched. */
    public static String check(String key) {
        if (key == null || key.isEmpty() || key.startsWith("/") || key.endsWith("/") || key.length() > 1024) {
            throw bad(key);
        }
        for (String segment : key.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..") || segment.indexOf('\0') >= 0
                    || segment.indexOf('\\') >= 0) {
                throw bad(key);
            }
        }
        return key;
    }

    private static StrataException bad(String key) {
        return new StrataException.InvalidArgument("'" + key + "' is not a backupstore key: use relative '/'-separated names"
                + " without empty, '.' or '..' parts");
    }
}
