package io.strata.domain;

/**
 * A volume's name: 1-63 letters, digits, '-', '_' or '.', starting with a letter or digit (2-63 for
 * a new volume: {@link #ofNew}). Safe to use as a file or directory name.
 */
public record VolumeName(String value) implements Comparable<VolumeName> {
    public VolumeName {
        Names.check("volume", value);
    }

    public static VolumeName of(String value) {
        return new VolumeName(value);
    }

    /**
     * The name of a volume about to be made: as {@link #of}, and at least two characters long.
     * Longhorn's backupstore takes only names of two or more characters (and skips others when it
     * lists), as Longhorn's own volumes have; a new one-character volume could never be backed up.
     * Volumes made before keep their names ({@link #of} still reads them).
     */
    public static VolumeName ofNew(String value) {
        VolumeName name = of(value);
        if (value.length() < 2) {
            throw new StrataException.InvalidArgument("volume name '" + value + "' is one character long: a new volume's name needs"
                    + " at least 2, so that its backups can be stored (Longhorn's backupstore takes no shorter name)");
        }
        return name;
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
