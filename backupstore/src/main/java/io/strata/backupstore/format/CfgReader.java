package io.strata.backupstore.format;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.domain.StrataException;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads the fields of one cfg file and checks each as it is read, so that nothing a hostile or broken
 * store wrote travels further than the parse. A field that fails is {@link StrataException.Corrupt},
 * naming the file and the field with a short reason, and never the stored value: a cfg may be any
 * file at all, and its bytes are not for error messages.
 */
final class CfgReader {
    /** The longest text field taken: names, times and methods are short; a longer one is not a cfg's. */
    static final int MAX_TEXT = 1024;

    private final String where;

    CfgReader(String where) {
        this.where = where;
    }

    StrataException.Corrupt corrupt(String field, String reason) {
        return new StrataException.Corrupt(where + " is corrupt: " + field + " " + reason
                + "; the backup cannot be trusted: restore another one, or delete it");
    }

    /** A string field; missing or null is empty. No control characters, at most {@link #MAX_TEXT} characters. */
    String text(JsonNode n, String field) {
        return text(n, field, field);
    }

    String text(JsonNode n, String field, String path) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return "";
        }
        if (!v.isTextual()) {
            throw corrupt(path, "is not a string");
        }
        return checkText(v.asText(), path);
    }

    String checkText(String value, String path) {
        if (value.length() > MAX_TEXT) {
            throw corrupt(path, "is longer than " + MAX_TEXT + " characters");
        }
        if (value.chars().anyMatch(Character::isISOControl)) {
            throw corrupt(path, "holds control characters");
        }
        return value;
    }

    /** A name field that must be one the backupstore takes (letters, digits, '_', '.', '-'). */
    String name(JsonNode n, String field, boolean required) {
        String value = text(n, field);
        if (value.isEmpty() && !required) {
            return value;
        }
        if (!StoreLayout.isValidName(value)) {
            throw corrupt(field, value.isEmpty() ? "is missing" : "is not a valid backupstore name");
        }
        return value;
    }

    /** An RFC 3339 time, or empty. */
    String time(JsonNode n, String field) {
        String value = text(n, field);
        if (!value.isEmpty()) {
            try {
                DateTimeFormatter.ISO_OFFSET_DATE_TIME.parse(value);
            } catch (DateTimeParseException e) {
                throw corrupt(field, "is not an RFC 3339 time");
            }
        }
        return value;
    }

    /**
     * A non-negative int64: a JSON string (Go's {@code ,string}) or a number; missing or empty is 0.
     * Numbers beyond int64 are refused, never wrapped.
     */
    long count(JsonNode n, String field) {
        return count(n.get(field), field, true);
    }

    long count(JsonNode v, String path, boolean textAllowed) {
        if (v == null || v.isNull() || (textAllowed && v.isTextual() && v.asText().isEmpty())) {
            return 0;
        }
        long value;
        if (v.isIntegralNumber()) {
            if (!v.canConvertToLong()) {
                throw corrupt(path, "does not fit a 64-bit integer");
            }
            value = v.asLong();
        } else if (v.isTextual() && textAllowed) {
            value = digits(v.asText(), path);
        } else {
            throw corrupt(path, "is not an integer");
        }
        if (value < 0) {
            throw corrupt(path, "is negative");
        }
        return value;
    }

    /** A decimal non-negative int64 written as text. */
    long digits(String text, String path) {
        if (text.isEmpty() || text.length() > 19 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw corrupt(path, text.length() > 19 && text.chars().allMatch(c -> c >= '0' && c <= '9')
                    ? "does not fit a 64-bit integer" : "is not a decimal integer");
        }
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) { // 19 digits above 2^63 - 1
            throw corrupt(path, "does not fit a 64-bit integer");
        }
    }

    boolean bool(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return false;
        }
        if (!v.isBoolean()) {
            throw corrupt(field, "is not true or false");
        }
        return v.asBoolean();
    }

    /** A map of strings (Go's {@code map[string]string}); null is empty. */
    Map<String, String> map(JsonNode n, String field) {
        JsonNode v = n.get(field);
        Map<String, String> out = new LinkedHashMap<>();
        if (v == null || v.isNull()) {
            return out;
        }
        if (!v.isObject()) {
            throw corrupt(field, "is not an object");
        }
        for (Map.Entry<String, JsonNode> e : v.properties()) {
            if (e.getKey().isEmpty() || e.getKey().length() > MAX_TEXT) {
                throw corrupt(field, "has a key that is empty or too long");
            }
            JsonNode value = e.getValue();
            if (!value.isNull() && !value.isTextual()) {
                throw corrupt(field, "has a value that is not a string");
            }
            out.put(e.getKey(), value.isNull() ? "" : value.asText());
        }
        return out;
    }

    /** A compression method this reader knows (empty is gzip, Longhorn's first). */
    String compressionMethod(String value, String field) {
        try {
            Compression.fromMethod(value);
        } catch (StrataException.InvalidArgument e) {
            throw corrupt(field, "names no known compression method");
        }
        return value;
    }
}
