package io.strata.control.state;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.strata.domain.PrivateFiles;
import io.strata.domain.StrataException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Small records that must survive a restart (attachments, jobs), one JSON file each under
 * {@code <data dir>/state/<table>/<key>.json}. A write is temp file, fsync, rename, fsync of the
 * directory: after a crash a record is its old version or its new one, never a torn mix. Safe for
 * concurrent use on different keys; callers serialise writes of one key.
 */
public final class StateStore {
    private static final Pattern KEY = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.@-]{0,200}");
    private static final String SUFFIX = ".json";
    private static final ObjectMapper JSON = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES) // a newer version may add fields
            .enable(SerializationFeature.INDENT_OUTPUT);

    private final Path root;

    public StateStore(Path root) throws IOException {
        this.root = root;
        PrivateFiles.createDirectories(root); // job records name volumes, targets and errors: the owner's only
    }

    /** One kind of record, e.g. {@code jobs}. */
    public <T> Table<T> table(String name, Class<T> type) throws IOException {
        checkKey(name);
        Path dir = root.resolve(name);
        if (!Files.isDirectory(dir)) {
            PrivateFiles.createDirectories(dir);
            syncDirectory(root);
        }
        return new Table<>(dir, type);
    }

    /** Records of one type, by key. */
    public static final class Table<T> {
        private final Path dir;
        private final Class<T> type;

        private Table(Path dir, Class<T> type) {
            this.dir = dir;
            this.type = type;
        }

        public Optional<T> get(String key) throws IOException {
            Path file = dir.resolve(checkKey(key) + SUFFIX);
            byte[] data;
            try {
                data = Files.readAllBytes(file);
            } catch (NoSuchFileException e) {
                return Optional.empty();
            }
            try {
                return Optional.of(JSON.readValue(data, type));
            } catch (IOException e) {
                throw new StrataException.Corrupt("state record " + file + " is unreadable (" + e.getMessage()
                        + "); move it away to let Strata start without it", e);
            }
        }

        /** Stores {@code value} under {@code key}, durably, replacing what was there. */
        public void put(String key, T value) throws IOException {
            Path file = dir.resolve(checkKey(key) + SUFFIX);
            Path temp = dir.resolve("." + key + SUFFIX + ".tmp");
            // a temp file left by a crash (or an older version, with another mode) is replaced, not reused
            Files.deleteIfExists(temp);
            try (FileChannel channel = PrivateFiles.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                channel.write(java.nio.ByteBuffer.wrap(JSON.writeValueAsBytes(value)));
                channel.force(true);
            }
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("the state directory " + dir + " cannot rename atomically", e);
            }
            syncDirectory(dir);
        }

        /** Removes the record; a missing one is fine. */
        public void delete(String key) throws IOException {
            if (Files.deleteIfExists(dir.resolve(checkKey(key) + SUFFIX))) {
                syncDirectory(dir);
            }
        }

        /** Every record, by key order. */
        public List<T> all() throws IOException {
            List<String> keys = new ArrayList<>();
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
                for (Path file : files) {
                    String name = file.getFileName().toString();
                    if (!name.startsWith(".")) {
                        keys.add(name.substring(0, name.length() - SUFFIX.length()));
                    }
                }
            }
            keys.sort(null);
            List<T> out = new ArrayList<>();
            for (String key : keys) {
                get(key).ifPresent(out::add);
            }
            return out;
        }
    }

    private static String checkKey(String key) {
        if (key == null || !KEY.matcher(key).matches()) {
            throw new StrataException.InvalidArgument("'" + key + "' cannot name a state record");
        }
        return key;
    }

    private static void syncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }
}
