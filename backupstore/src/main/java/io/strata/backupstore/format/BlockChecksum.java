package io.strata.backupstore.format;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A block's checksum as Longhorn computes it: SHA-512 of the uncompressed block, lowercase hex, cut
 * to its first 64 characters (despite the "SHA256" in Longhorn's comments). It is also the block's
 * object name, so identical blocks are stored once per backup volume.
 */
public final class BlockChecksum {
    private static final Pattern VALID = Pattern.compile("[0-9a-f]{64}");

    private BlockChecksum() {}

    public static String of(byte[] data, int offset, int length) {
        MessageDigest sha512 = sha512();
        sha512.update(data, offset, length);
        return HexFormat.of().formatHex(sha512.digest(), 0, 32);
    }

    public static String of(byte[] data) {
        return of(data, 0, data.length);
    }

    /** True for 64 lowercase hex characters: what a checksum read from a cfg must be before it names a path. */
    public static boolean isValid(String checksum) {
        return checksum != null && VALID.matcher(checksum).matches();
    }

    private static MessageDigest sha512() {
        try {
            return MessageDigest.getInstance("SHA-512");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JDK has no SHA-512", e);
        }
    }
}
