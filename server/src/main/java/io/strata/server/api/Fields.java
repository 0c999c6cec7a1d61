package io.strata.server.api;

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
