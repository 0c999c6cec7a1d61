package io.strata.domain;

/**
 * A volume's name: 1-63 letters, digits, '-', '_' or '.', starting with a letter or digit. Safe to
 * use as a file or directory name.
 */
public record VolumeName(String value) implements Comparable<VolumeName> {
    public VolumeName {
        Names.check("volume", value);
    }

    public static VolumeName of(String value) {
        return new VolumeName(value);
    }

    @Override
    public int compareTo(VolumeName other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
