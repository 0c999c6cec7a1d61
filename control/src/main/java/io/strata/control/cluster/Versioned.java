package io.strata.control.cluster;

import java.util.Objects;

/**
 * A value with the version it was read at. The version only grows; an update names the version it
 * read, so that two writers cannot both win (Kubernetes' resourceVersion, as a number).
 */
public record Versioned<T>(long version, T value) {
    public Versioned {
        if (version < 0) {
            throw new IllegalArgumentException("version " + version + " is negative");
        }
        Objects.requireNonNull(value, "value");
    }
}
