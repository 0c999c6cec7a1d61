package io.strata.domain;

/**
 * A snapshot's name: 1-63 letters, digits, '-', '_' or '.', starting with a letter or digit. The
 * CSI sidecar's {@code snapshot-<uid>} fits.
 */
public record SnapshotName(String value) implements Comparable<SnapshotName> {
    public SnapshotName {
        Names.check("snapshot", value);
    }

    public static SnapshotName of(String value) {
        return new SnapshotName(value);
    }

    @Override
    public int compareTo(SnapshotName other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
