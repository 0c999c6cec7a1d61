package io.strata.server.http;

import io.strata.domain.StrataException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API's bearer tokens, one per {@link Role}, each in a file of its own ({@code admin.token},
 * {@code read-only.token}) in a token directory: {@code <data dir>/api-tokens} unless another is
 * configured, such as a mounted Kubernetes Secret.
 *
 * <p>A token missing from the directory is generated at start (32 bytes from {@link SecureRandom},
 * URL-safe Base64), written temp → fsync → rename, mode 0600 in a 0700 directory: whoever may read
 * it may read the volumes anyway. A configured directory that holds no admin token and cannot be
 * written (a mounted Secret left empty) gives way to {@code <data dir>/api-tokens}, so a fresh
 * deployment works without a step; a Secret that holds tokens wins.
 *
 * <p>Only SHA-256 digests of the tokens are kept, and a presented token is compared with every
 * role's digest in constant time. No token is ever logged or put into a message.
 */
public final class ApiTokens {
    private static final Logger LOG = LoggerFactory.getLogger(ApiTokens.class);
    /** The token directory's name in the data directory. */
    public static final String DIRECTORY = "api-tokens";
    /** The shortest token accepted from a file someone wrote: 32 characters of Base64 carry 192 bits. */
    static final int MIN_LENGTH = 32;
    /** A token file is a few dozen bytes; anything far larger is not one. */
    private static final int MAX_FILE = 4096;
    /** RFC 6750's b64token: what may follow {@code Bearer }. */
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9._~+/-]+=*");
    private static final Set<PosixFilePermission> OWNER_FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OWNER_DIR = PosixFilePermissions.fromString("rwx------");
    static final String HOW_TO_MAKE_ONE = "head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '='";

    private final Path directory;
    private final Map<Role, byte[]> digests;

    private ApiTokens(Path directory, Map<Role, byte[]> digests) {
        this.directory = directory;
        this.digests = digests;
    }

    /**
     * The tokens of {@code configured}, else of {@code <dataDir>/api-tokens}, generating the
     * missing ones as the class describes.
     *
     * @throws StrataException.InvalidArgument when a token file holds something that is not a usable token
     */
    public static ApiTokens load(Optional<Path> configured, Path dataDir) throws IOException {
        Path fallback = dataDir.toAbsolutePath().normalize().resolve(DIRECTORY);
        Path directory = configured.map(p -> p.toAbsolutePath().normalize()).orElse(fallback);
        if (read(directory, Role.ADMIN).isEmpty()) {
            try {
                generateMissing(directory);
            } catch (IOException e) {
                if (directory.equals(fallback)) {
                    throw e;
                }
                LOG.info("the API token directory {} holds no admin token and cannot be written ({}): using {} instead", directory,
                        e.getClass().getSimpleName(), fallback);
                directory = fallback;
                if (read(directory, Role.ADMIN).isEmpty()) {
                    generateMissing(directory);
                }
            }
        }
        if (directory.equals(fallback)) {
            keepPrivate(directory);
        }
        Map<Role, byte[]> digests = new EnumMap<>(Role.class);
        for (Role role : Role.values()) {
            read(directory, role).ifPresent(token -> digests.put(role, digest(token)));
        }
        if (!digests.containsKey(Role.READ_ONLY)) {
            LOG.info("no read-only API token in {}: only the admin token is accepted", directory);
        } else if (MessageDigest.isEqual(digests.get(Role.ADMIN), digests.get(Role.READ_ONLY))) {
            throw new StrataException.InvalidArgument("the admin and read-only API tokens in " + directory + " are the same: give each"
                    + " role its own token (" + HOW_TO_MAKE_ONE + ")");
        }
        LOG.info("API tokens ({}) are in {}", String.join(", ", digests.keySet().stream().map(r -> r.label).toList()), directory);
        return new ApiTokens(directory, Map.copyOf(digests));
    }

    /** Tokens given as they are, for tests of what is built on them. */
    public static ApiTokens of(Path directory, Map<Role, String> tokens) {
        Map<Role, byte[]> digests = new EnumMap<>(Role.class);
        tokens.forEach((role, token) -> digests.put(role, digest(valid(token, role + " token"))));
        return new ApiTokens(directory, Map.copyOf(digests));
    }

    /** Where the tokens are: the CLI reads its token there (the path, never a token, is in {@code server.json}). */
    public Path directory() {
        return directory;
    }

    /** The role of a presented token, if it is one of ours; the same time for any token of a given length. */
    public Optional<Role> roleOf(String presented) {
        byte[] digest = digest(presented);
        Role found = null;
        for (Role role : Role.values()) {
            byte[] expected = digests.get(role);
            // every role is compared, whatever matched before
            if (expected != null && MessageDigest.isEqual(expected, digest)) {
                found = role;
            }
        }
        return Optional.ofNullable(found);
    }

    /** A role's token as its file holds it, if the file exists and is not empty. */
    public static Optional<String> read(Path directory, Role role) throws IOException {
        Path file = directory.resolve(role.fileName());
        byte[] bytes;
        // a Secret's files are symbolic links into its current version: they are followed
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_FILE + 1);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        String what = "the " + role.label + " API token " + file;
        if (bytes.length > MAX_FILE) {
            throw new StrataException.InvalidArgument(what + " is larger than " + MAX_FILE + " bytes, so it is no token: put one token"
                    + " in it (" + HOW_TO_MAKE_ONE + ")");
        }
        String text = new String(bytes, StandardCharsets.UTF_8).strip();
        return text.isEmpty() ? Optional.empty() : Optional.of(valid(text, what));
    }

    private static String valid(String token, String what) {
        if (token.length() < MIN_LENGTH || !TOKEN.matcher(token).matches()) {
            // the content is a secret, or garbage: neither goes into a message
            throw new StrataException.InvalidArgument(what + " is not a usable token: it must be at least " + MIN_LENGTH
                    + " characters of A-Z a-z 0-9 - . _ ~ + / (and = at the end); make one with: " + HOW_TO_MAKE_ONE);
        }
        return token;
    }

    /** A new token: 32 random bytes, URL-safe Base64 without padding (43 characters). */
    static String newToken() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static void generateMissing(Path directory) throws IOException {
        if (!Files.isDirectory(directory)) {
            Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(OWNER_DIR));
        }
        for (Role role : Role.values()) {
            if (read(directory, role).isEmpty()) {
                write(directory, role.fileName(), newToken());
                LOG.info("generated the {} API token in {}", role.label, directory.resolve(role.fileName()));
            }
        }
    }

    /** Temp, fsync, rename, fsync the directory: a crash leaves the old token or the new one, never half of one. */
    private static void write(Path directory, String name, String token) throws IOException {
        Path temp = directory.resolve("." + name + ".tmp");
        Files.deleteIfExists(temp);
        try (FileChannel channel = FileChannel.open(temp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(OWNER_FILE))) {
            channel.write(ByteBuffer.wrap((token + "\n").getBytes(StandardCharsets.US_ASCII)));
            channel.force(true);
        }
        Files.move(temp, directory.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        }
    }

    /** The data directory's token files stay the owner's, whatever a copy or an umask did to them. */
    private static void keepPrivate(Path directory) throws IOException {
        Files.setPosixFilePermissions(directory, OWNER_DIR);
        for (Role role : Role.values()) {
            Path file = directory.resolve(role.fileName());
            if (Files.isRegularFile(file) && !Files.getPosixFilePermissions(file).equals(OWNER_FILE)) {
                LOG.warn("{} could be read by others: made it the owner's alone (0600)", file);
                Files.setPosixFilePermissions(file, OWNER_FILE);
            }
        }
    }

    private static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
