package io.strata.server.cli;

import io.strata.domain.StrataException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The backup target's credentials from a file rather than the process environment
 * ({@code --backup-credentials} or {@code STRATA_BACKUP_CREDENTIALS}): Longhorn's variables
 * ({@code AWS_ACCESS_KEY_ID}, {@code AWS_SECRET_ACCESS_KEY}, {@code AWS_ENDPOINTS}, ...) as
 * <ul>
 *   <li>an env file: {@code NAME=value} lines, {@code #} comments, an optional {@code export}, the
 *       value optionally in single or double quotes; or</li>
 *   <li>a directory with one file per variable, named after it: a Kubernetes Secret mounted as a
 *       volume. Hidden entries (Kubernetes' {@code ..data} links among them) are skipped.</li>
 * </ul>
 * Values never appear in errors: a bad line is named by its number.
 */
final class CredentialsFile {
    /** Where the file is when the option is not given. */
    static final String ENV = "STRATA_BACKUP_CREDENTIALS";
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private CredentialsFile() {}

    static Map<String, String> read(Path path) {
        try {
            if (Files.isDirectory(path)) {
                return fromDirectory(path);
            }
            if (!Files.isRegularFile(path)) {
                throw new StrataException.NotFound("backup credentials " + path + " do not exist: give an env file (NAME=value lines)"
                        + " or a directory with a file per variable (a mounted Secret)");
            }
            return fromEnvFile(path, Files.readAllLines(path, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new StrataException.InvalidArgument("cannot read backup credentials " + path + ": " + e.getMessage());
        }
    }

    private static Map<String, String> fromDirectory(Path dir) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> entries = Files.list(dir)) {
            for (Path entry : entries.sorted().toList()) {
                String name = entry.getFileName().toString();
                if (name.startsWith(".") || !Files.isRegularFile(entry)) {
                    continue;
                }
                if (!NAME.matcher(name).matches()) {
                    throw new StrataException.InvalidArgument("backup credentials " + entry + ": '" + name
                            + "' is not a variable name (letters, digits and '_')");
                }
                String value = Files.readString(entry, StandardCharsets.UTF_8);
                out.put(name, value.endsWith("\n") ? value.substring(0, value.length() - 1) : value);
            }
        }
        return out;
    }

    private static Map<String, String> fromEnvFile(Path file, List<String> lines) {
        Map<String, String> out = new TreeMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("export ")) {
                line = line.substring("export ".length()).strip();
            }
            int eq = line.indexOf('=');
            String name = eq < 0 ? line : line.substring(0, eq).strip();
            if (eq < 0 || !NAME.matcher(name).matches()) {
                throw new StrataException.InvalidArgument("backup credentials " + file + ", line " + (i + 1)
                        + ": not NAME=value (the line is not shown: it may hold a secret)");
            }
            out.put(name, unquote(line.substring(eq + 1).strip()));
        }
        return out;
    }

    private static String unquote(String value) {
        if (value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"") || value.startsWith("'") && value.endsWith("'"))) {
            return value.substring(1, value.length() - 1);
        }
        return value;
    }
}
