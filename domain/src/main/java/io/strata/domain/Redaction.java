package io.strata.domain;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hides the credentials a URL may carry ({@code http://user:password@host}) wherever Strata prints
 * or stores one: error messages, job records, logs, REST and CLI answers. The one rule, in one
 * place, so that every surface hides the same thing.
 *
 * <p>The password becomes {@code ***} and the user name stays, so that an operator still sees
 * which account was meant; a user part without a password (a token used as the user name, as in
 * {@code https://TOKEN@host}) is hidden whole. One exception: an {@code s3://} URL spells its region
 * as {@code bucket@region}, which names no credential and stays as it is unless it holds a colon.
 */
public final class Redaction {
    /** What a hidden password or token reads as. */
    public static final String MASK = "***";
    // scheme://, then the authority's user part up to the first '@' before any '/', '?', '#' or space
    private static final Pattern USER_INFO = Pattern.compile("([A-Za-z][A-Za-z0-9+.\\-]*)://([^/?#@\\s\"'<>]*)@");

    private Redaction() {}

    /** {@code url} with its credentials hidden; null stays null. */
    public static String url(String url) {
        return text(url);
    }

    /** {@code text} with the credentials of every URL in it hidden; null stays null. */
    public static String text(String text) {
        if (text == null || text.indexOf('@') < 0) {
            return text;
        }
        Matcher m = USER_INFO.matcher(text);
        StringBuilder out = new StringBuilder(text.length());
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(m.group(1) + "://" + userInfo(m.group(1), m.group(2)) + "@"));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String userInfo(String scheme, String userInfo) {
        int colon = userInfo.indexOf(':');
        if (colon >= 0) {
            return userInfo.substring(0, colon) + ":" + MASK;
        }
        if (scheme.toLowerCase(Locale.ROOT).equals("s3")) {
            return userInfo; // s3://bucket@region/path/: Longhorn's spelling of a region, not a user
        }
        return userInfo.isEmpty() ? userInfo : MASK;
    }
}
