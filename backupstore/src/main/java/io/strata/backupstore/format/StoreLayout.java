package io.strata.backupstore.format;

import io.strata.domain.StrataException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where each object of a backupstore lives, as keys relative to the target's root, with '/'
 * separators (the same keys on a file system and in S3):
 *
 * <pre>
 * backupstore/volumes/&lt;h0:2&gt;/&lt;h2:4&gt;/&lt;volume&gt;/volume.cfg
 *                                         backups/backup_&lt;name&gt;.cfg
 *                                         blocks/&lt;c0:2&gt;/&lt;c2:4&gt;/&lt;c&gt;.blk
 *                                         locks/&lt;lock&gt;.lck
 * </pre>
 *
 * with {@code h} the hex SHA-512 of the volume name and {@code c} a {@link BlockChecksum}. Names
 * must match Longhorn's rule (at least two characters), so that every name written here is one
 * Longhorn lists, and no name is ever a path.
 */
public final class StoreLayout {
    public static final String ROOT = "backupstore";
    public static final String VOLUMES = ROOT + "/volumes";
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]+");
    private static final String BACKUP_PREFIX = "backup_";
    private static final String CFG = ".cfg";

    private StoreLayout() {}

    /** True when Longhorn accepts {@code name} as a volume, backup or lock name. */
    public static boolean isValidName(String name) {
        return name != null && name.length() <= 255 && NAME.matcher(name).matches();
    }

    static String checkName(String kind, String name) {
        if (!isValidName(name)) {
            throw new StrataException.InvalidArgument("invalid backup " + kind + " name '" + name
                    + "': the backupstore takes 2 or more letters, digits, '_', '.' or '-', starting with a letter or digit");
        }
        return name;
    }

    public static String volumeDirectory(String volume) {
        checkName("volume", volume);
        String h = sha512Hex(volume);
        return VOLUMES + "/" + h.substring(0, 2) + "/" + h.substring(2, 4) + "/" + volume;
    }

    public static String volumeConfig(String volume) {
        return volumeDirectory(volume) + "/volume.cfg";
    }

    public static String backupsDirectory(String volume) {
        return volumeDirectory(volume) + "/backups";
    }

    public static String backupConfig(String volume, String backup) {
        return backupsDirectory(volume) + "/" + BACKUP_PREFIX + checkName("backup", backup) + CFG;
    }

    public static String blocksDirectory(String volume) {
        return volumeDirectory(volume) + "/blocks";
    }

    public static String block(String volume, String checksum) {
        if (!BlockChecksum.isValid(checksum)) {
            throw new StrataException.Corrupt("'" + checksum + "' is not a block checksum (64 lowercase hex characters)");
        }
        return blocksDirectory(volume) + "/" + checksum.substring(0, 2) + "/" + checksum.substring(2, 4) + "/" + checksum + ".blk";
    }

    public static String locksDirectory(String volume) {
        return volumeDirectory(volume) + "/locks";
    }

    public static String lock(String volume, String lockName) {
        return locksDirectory(volume) + "/" + checkName("lock", lockName) + ".lck";
    }

    /** The backup name in a {@code backup_<name>.cfg} file name, if it is one with a valid name. */
    public static Optional<String> backupNameOf(String fileName) {
        if (fileName.startsWith(BACKUP_PREFIX) && fileName.endsWith(CFG)) {
            String name = fileName.substring(BACKUP_PREFIX.length(), fileName.length() - CFG.length());
            if (isValidName(name)) {
                return Optional.of(name);
            }
        }
        return Optional.empty();
    }

    /** The checksum in a {@code <c>.blk} file name, if it is one. */
    public static Optional<String> checksumOf(String fileName) {
        if (fileName.endsWith(".blk")) {
            String checksum = fileName.substring(0, fileName.length() - 4);
            if (BlockChecksum.isValid(checksum)) {
                return Optional.of(checksum);
            }
        }
        return Optional.empty();
    }

    static String sha512Hex(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-512").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JDK has no SHA-512", e);
        }
    }
}
