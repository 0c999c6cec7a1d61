package io.strata.backupstore.format;

import io.strata.domain.StrataException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A backup's URL in Longhorn's form, {@code <target>?backup=<name>&volume=<volume>}. Query keys the
 * target already has are kept, and all keys are sorted, as Go's {@code url.Values.Encode} writes
 * them; a URL for a whole backup volume has only {@code volume=}.
 *
 * <p>A directory target is {@code file://} or {@code vfs://}, the same directory either way; Longhorn
 * knows only {@code vfs://}, so a URL shown to people ({@link #forLonghorn()}) is spelled so, and
 * either spelling is taken back ({@link #sameTarget}).
 */
public record BackupUrl(String target, String volume, Optional<String> backup) {
    public BackupUrl {
        StoreLayout.checkName("volume", volume);
        backup.ifPresent(b -> StoreLayout.checkName("backup", b));
    }

    public static BackupUrl of(String target, String volume, String backup) {
        return new BackupUrl(target, volume, Optional.of(backup));
    }

    /** The URL as Longhorn takes it (e.g. in a StorageClass's {@code fromBackup}): {@link #encode()}, with {@code vfs://} for {@code file://}. */
    public String forLonghorn() {
        return new BackupUrl(longhornTarget(target), volume, backup).encode();
    }

    /** A target URL in Longhorn's spelling: a directory's {@code file://} is {@code vfs://}; others are as they are. */
    public static String longhornTarget(String target) {
        return target.startsWith("file://") ? "vfs://" + target.substring("file://".length()) : target;
    }

    /** Whether two target URLs name the same target: equal, or equal but for {@code file://} and {@code vfs://}. */
    public static boolean sameTarget(String a, String b) {
        return a != null && b != null && longhornTarget(a.strip()).equals(longhornTarget(b.strip()));
    }

    public String encode() {
        int q = target.indexOf('?');
        Map<String, String> query = q < 0 ? new TreeMap<>() : parseQuery(target.substring(q + 1));
        query.put("volume", volume);
        backup.ifPresent(b -> query.put("backup", b));
        StringBuilder out = new StringBuilder(q < 0 ? target : target.substring(0, q)).append('?');
        String sep = "";
        for (Map.Entry<String, String> e : query.entrySet()) {
            out.append(sep).append(encode(e.getKey())).append('=').append(encode(e.getValue()));
            sep = "&";
        }
        return out.toString();
    }

    /** Splits a backup URL into its target and names; the target keeps its own query keys. */
    public static BackupUrl decode(String url) {
        int q = url.indexOf('?');
        if (q < 0) {
            throw new StrataException.InvalidArgument("'" + url + "' is not a backup URL: expected TARGET?backup=NAME&volume=VOLUME");
        }
        Map<String, String> query = parseQuery(url.substring(q + 1));
        String volume = query.remove("volume");
        String backup = query.remove("backup");
        if (volume == null || volume.isEmpty()) {
            throw new StrataException.InvalidArgument("backup URL '" + url + "' names no volume: expected TARGET?backup=NAME&volume=VOLUME");
        }
        StringBuilder target = new StringBuilder(url.substring(0, q));
        String sep = "?";
        for (Map.Entry<String, String> e : query.entrySet()) {
            target.append(sep).append(encode(e.getKey())).append('=').append(encode(e.getValue()));
            sep = "&";
        }
        return new BackupUrl(target.toString(), volume, Optional.ofNullable(backup).filter(b -> !b.isEmpty()));
    }

    private static Map<String, String> parseQuery(String query) {
        Map<String, String> out = new TreeMap<>();
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.put(key, value);
        }
        return out;
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }
}
