package io.strata.domain;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What a VolumeSnapshotContent's handle names: a backup in the backup target ({@code bak://VOLUME/BACKUP},
 * legacy {@code bs://}), or an in-cluster snapshot ({@code ss://VOLUME/SNAPSHOT}, also Longhorn's
 * {@code snap://}). The scheme is kept, so a handle prints as it was given.
 */
public sealed interface SnapshotHandle {
    /** Names of backup volumes and backups: what the backupstore accepts, so never a path. */
    Pattern BACKUP_NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]{0,254}");

    /** The handle as text, {@code scheme://volume/name}. */
    String value();

    /** A backup in the backup target. */
    record Backup(String scheme, String volume, String backup) implements SnapshotHandle {
        public Backup {
            if (!scheme.equals("bak") && !scheme.equals("bs")) {
                throw new IllegalArgumentException("not a backup scheme: " + scheme);
            }
        }

        public static Backup of(String volume, String backup) {
            return new Backup("bak", volume, backup);
        }

        @Override
        public String value() {
            return scheme + "://" + volume + "/" + backup;
        }
    }

    /** An in-cluster snapshot of a volume. */
    record Snapshot(String scheme, VolumeName volume, SnapshotName snapshot) implements SnapshotHandle {
        public Snapshot {
            if (!scheme.equals("ss") && !scheme.equals("snap")) {
                throw new IllegalArgumentException("not a snapshot scheme: " + scheme);
            }
        }

        @Override
        public String value() {
            return scheme + "://" + volume + "/" + snapshot;
        }
    }

    /**
     * Parses a handle.
     *
     * @throws StrataException.InvalidArgument when it is not {@code bak|bs|ss|snap://VOLUME/NAME} with valid names
     */
    static SnapshotHandle parse(String text) {
        int sep = text == null ? -1 : text.indexOf("://");
        if (sep < 0) {
            throw invalid(text, "it has no scheme");
        }
        String scheme = text.substring(0, sep);
        String[] parts = text.substring(sep + 3).split("/", -1);
        if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
            throw invalid(text, "expected " + scheme + "://VOLUME/NAME");
        }
        return switch (scheme) {
            case "bak", "bs" -> {
                if (!BACKUP_NAME.matcher(parts[0]).matches() || !BACKUP_NAME.matcher(parts[1]).matches()) {
                    throw invalid(text, "backup volume and backup names take letters, digits, '_', '.' and '-'");
                }
                yield new Backup(scheme, parts[0], parts[1]);
            }
            case "ss", "snap" -> {
                try {
                    yield new Snapshot(scheme, VolumeName.of(parts[0]), SnapshotName.of(parts[1]));
                } catch (StrataException.InvalidArgument e) {
                    throw invalid(text, e.getMessage());
                }
            }
            default -> throw invalid(text, "the scheme '" + scheme + "' is not one of bak, bs, ss, snap");
        };
    }

    /** A backup handle, when {@code text} is one ({@code bak://} or {@code bs://}); empty for anything else. */
    static Optional<Backup> parseBackup(String text) {
        if (text == null || !(text.startsWith("bak://") || text.startsWith("bs://"))) {
            return Optional.empty();
        }
        return Optional.of((Backup) parse(text));
    }

    private static StrataException.InvalidArgument invalid(String text, String why) {
        return new StrataException.InvalidArgument("invalid snapshot handle '" + text + "': " + why
                + " (handles look like bak://VOLUME/BACKUP or ss://VOLUME/SNAPSHOT)");
    }
}
