package io.strata.server.api;

import io.strata.domain.ByteSize;
import io.strata.domain.StrataException;
import java.util.Map;

/** Checks of request fields that the JSON types alone do not make. */
final class Fields {
    private Fields() {}

    static <T> T required(T value, String field) {
        if (value == null || value instanceof String s && s.isBlank()) {
            throw new StrataException.InvalidArgument("field '" + field + "' is required (see /openapi.json)");
        }
        return value;
    }

    /**
     * A size given either as {@code sizeBytes} (a number, taken as it is) or as {@code size} (text a
     * person typed, by the one grammar of {@link ByteSize#parseVolumeSize}: exact, never rounded);
     * null when neither is given.
     */
    static Long size(Long sizeBytes, String size) {
        if (size == null) {
            return sizeBytes;
        }
        if (sizeBytes != null) {
            throw new StrataException.InvalidArgument("give either 'sizeBytes' (a number of bytes) or 'size' (text such as 10Gi), not both");
        }
        return ByteSize.parseVolumeSize(size);
    }

    static Map<String, String> labels(Map<String, String> labels) {
        if (labels == null) {
            return Map.of();
        }
        for (Map.Entry<String, String> e : labels.entrySet()) {
            if (e.getKey().isBlank() || e.getValue() == null) {
                throw new StrataException.InvalidArgument("labels need a key that is not blank and a string value");
            }
        }
        return Map.copyOf(labels);
    }
}
