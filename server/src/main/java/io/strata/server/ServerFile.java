package io.strata.server;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.strata.domain.PrivateFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Optional;

/**
 * {@code <data dir>/server.json}: how to reach the server that owns a data directory — its HTTP
 * address, NBD socket and process id. Written (temp, fsync, rename) once the API listens, removed when the
 * server stops. A file left by a server that died is harmless: the CLI finds nobody answering at
 * the address, and the data directory's lock, which died with the process, is free.
 */
public final class ServerFile {
    public static final String NAME = "server.json";
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * @param url       the API's base, e.g. {@code http://127.0.0.1:9500}
     * @param tokens    the directory of the API's tokens, where the CLI finds one (the path: never a token itself)
     * @param nbdSocket the NBD server's unix socket, through which the CLI imports and exports; null in
     *                  files of older servers (then {@code <data dir>/nbd.sock})
     */
    public record Info(String url, long pid, Instant started, String version, String tokens, String nbdSocket) {}

    private ServerFile() {}

    static void write(Path dataDir, Info info) throws IOException {
        Path file = dataDir.resolve(NAME);
        Path temp = dataDir.resolve("." + NAME + ".tmp");
        Files.deleteIfExists(temp); // a leftover of a crash is replaced, with this file's mode
        try (FileChannel channel = PrivateFiles.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(JSON.writeValueAsBytes(info)));
            channel.force(true);
        }
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** The file's content, if there is a readable one. */
    public static Optional<Info> read(Path dataDir) {
        try {
            Info info = JSON.readValue(Files.readAllBytes(dataDir.resolve(NAME)), Info.class);
            return info.url() == null ? Optional.empty() : Optional.of(info);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty(); // torn or foreign: as good as none; the data directory's lock still protects it
        }
    }

    /** Removes the file if it still describes {@code info} (a later server may have replaced it). */
    static void remove(Path dataDir, Info info) throws IOException {
        if (read(dataDir).filter(info::equals).isPresent()) {
            Files.deleteIfExists(dataDir.resolve(NAME));
        }
    }
}
