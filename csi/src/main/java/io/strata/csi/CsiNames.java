package io.strata.csi;

import io.strata.domain.SnapshotName;
import io.strata.domain.StrataException;
import io.strata.domain.VolumeName;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.function.Function;

/**
 * CSI names and ids as Strata names.
 *
 * <p>The CO names a new volume or snapshot with any Unicode text free of control characters (the
 * spec's rule); Strata names are 1-63 letters, digits, '-', '_' and '.', because they name files. A
 * name that already is a Strata name, like the sidecars' {@code pvc-<uid>} and
 * {@code snapshot-<uid>}, is used as it is. Any other becomes {@code csi-} and 32 hex digits of its
 * SHA-256: the same every time, so a retry finds what the first call made.
 *
 * <p>Volume ids are the Strata names this plugin handed out: an id that is not one names nothing.
 *
 * <p>Messages never repeat a value that failed validation. It may be anything, even a secret pasted
 * into the wrong field; the caller knows what it sent, and the message names the field.
 */
final class CsiNames {

    private static final String HASHED_PREFIX = "csi-";

    private CsiNames() {}

    /** {@code value}, or INVALID_ARGUMENT naming {@code field} when it is empty. */
    static String required(String value, String field) {
        if (value == null || value.isEmpty()) {
            throw new StrataException.InvalidArgument(field + " is required");
        }
        return value;
    }

    /** The volume that CreateVolume's {@code name} makes. */
    static VolumeName newVolume(String name) {
        return strataName(name, "name", VolumeName::ofNew);
    }

    /** The snapshot that CreateSnapshot's {@code name} makes. */
    static SnapshotName newSnapshot(String name) {
        return strataName(name, "name", SnapshotName::of);
    }

    /** The volume an id names, or empty when no volume of this plugin can have that id. */
    static Optional<VolumeName> volumeId(String id) {
        try {
            return Optional.of(VolumeName.of(id));
        } catch (StrataException.InvalidArgument notOurs) {
            return Optional.empty();
        }
    }

    /** The volume an id names, or NOT_FOUND when no volume of this plugin can have that id. */
    static VolumeName existingVolume(String id) {
        return volumeId(id).orElseThrow(() -> new StrataException.NotFound("volume_id names no volume of this plugin"));
    }

    private static <T> T strataName(String name, String field, Function<String, T> make) {
        required(name, field);
        name.codePoints().filter(CsiNames::banned).findFirst().ifPresent(c -> {
            throw new StrataException.InvalidArgument(field + " holds a control character (U+"
                    + String.format("%04X", c) + "), which CSI bans from names");
        });
        try {
            return make.apply(name);
        } catch (StrataException.InvalidArgument notAStrataName) {
            return make.apply(HASHED_PREFIX + HexFormat.of().formatHex(sha256(name), 0, 16));
        }
    }

    /** The spec's banned characters: control characters other than tab, line feed and carriage return. */
    private static boolean banned(int c) {
        return c <= 0x08 || c == 0x0B || c == 0x0C || (c >= 0x0E && c <= 0x1F) || (c >= 0x7F && c <= 0x9F);
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
