package io.strata.control.cluster;

import io.strata.domain.StrataException;
import java.util.regex.Pattern;

/**
 * A node's id: 1-63 letters, digits, '-', '_' or '.', starting with a letter or digit (a Kubernetes
 * node name fits). Safe in a file name and in a one-line record.
 */
public record NodeId(String value) {
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

    public NodeId {
        if (value == null || !VALID.matcher(value).matches()) {
            throw new StrataException.InvalidArgument("invalid node id" + (value == null ? "" : " of " + value.length() + " characters")
                    + ": use 1-63 letters, digits, '-', '_' or '.', starting with a letter or digit");
        }
    }

    public static NodeId of(String value) {
        return new NodeId(value);
    }

    @Override
    public String toString() {
        return value;
    }
}
