package io.strata.control.cluster;

import io.strata.domain.StrataException;
import java.util.Objects;
import java.util.Optional;

/**
 * The settings every node of a cluster shares. Today one: the backup target's URL, absent until
 * someone sets it (each node then uses its configured default).
 */
public record Settings(Optional<String> backupTarget) {
    /** Long enough for any S3 or NFS URL, short enough that a settings file stays small. */
    static final int MAX_TARGET_LENGTH = 2048;
    public static final Settings NONE = new Settings(Optional.empty());

    public Settings {
        Objects.requireNonNull(backupTarget, "backupTarget");
        backupTarget.ifPresent(Settings::checkTarget);
    }

    public static Settings withBackupTarget(String url) {
        return new Settings(Optional.of(url));
    }

    private static void checkTarget(String url) {
        if (url.isBlank() || url.length() > MAX_TARGET_LENGTH) {
            throw new StrataException.InvalidArgument("backup target of " + url.length() + " characters: give a URL of 1-"
                    + MAX_TARGET_LENGTH + " characters, or no target at all");
        }
        // One line per value in the stored form, and no terminal tricks in anyone's log.
        if (url.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new StrataException.InvalidArgument("backup target contains a control character: give a plain URL");
        }
    }
}
