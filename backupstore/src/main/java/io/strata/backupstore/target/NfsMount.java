package io.strata.backupstore.target;

import io.strata.domain.StrataException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Mounts an NFS backup target under Strata's run directory, as Longhorn does: {@code mount -t nfs4}
 * with NFS 4.2, then 4.1, then 4.0, and Longhorn's default options unless the URL gives its own. A
 * target already mounted there is used as it is.
 */
public final class NfsMount {
    /** Runs one OS command; the real one is {@link #SYSTEM}. */
    public interface CommandRunner {
        /** @return the exit status and what the command printed (stdout and stderr together) */
        Result run(List<String> command) throws IOException;
    }

    public record Result(int status, String output) {}

    /** Runs commands as processes, each given at most a minute (a soft mount of a dead server can take that long). */
    public static final CommandRunner SYSTEM = command -> {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            if (!process.waitFor(90, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return new Result(-1, "timed out after 90 s");
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + command.getFirst(), e);
        }
        return new Result(process.exitValue(), new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip());
    };

    private final CommandRunner runner;
    private final Path mountInfo;

    /**
     * @param mountInfo the mount table to look in, {@code /proc/self/mountinfo} in production
     */
    public NfsMount(CommandRunner runner, Path mountInfo) {
        this.runner = runner;
        this.mountInfo = mountInfo;
    }

    public static NfsMount system() {
        return new NfsMount(SYSTEM, Path.of("/proc/self/mountinfo"));
    }

    /**
     * Makes sure {@code url} is mounted below {@code mountRoot} and returns the mount point.
     *
     * @throws StrataException.Unavailable when no NFS version mounts, with each attempt's error
     */
    public Path ensureMounted(TargetUrl.Nfs url, Path mountRoot) throws IOException {
        Path mountPoint = url.mountPoint(mountRoot);
        if (isMounted(mountPoint)) {
            return mountPoint;
        }
        Files.createDirectories(mountPoint);
        List<String> errors = new ArrayList<>();
        for (List<String> command : url.mountCommands(mountRoot)) {
            Result result = runner.run(command);
            if (result.status() == 0) {
                return mountPoint;
            }
            errors.add(String.join(" ", command) + ": " + (result.output().isEmpty() ? "exit status " + result.status() : result.output()));
        }
        throw new StrataException.Unavailable("cannot mount NFS backup target " + url.url() + " at " + mountPoint
                + " (is the server reachable, the export allowed for this host, and nfs-common installed?): "
                + String.join("; ", errors));
    }

    /** Whether something is mounted exactly at {@code mountPoint} (field 5 of mountinfo, with octal escapes). */
    boolean isMounted(Path mountPoint) throws IOException {
        if (!Files.exists(mountInfo)) {
            return false;
        }
        String wanted = mountPoint.toAbsolutePath().normalize().toString();
        for (String line : Files.readAllLines(mountInfo, StandardCharsets.UTF_8)) {
            String[] fields = line.split(" ");
            if (fields.length > 4 && unescape(fields[4]).equals(wanted)) {
                return true;
            }
        }
        return false;
    }

    private static String unescape(String field) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length() && field.substring(i + 1, i + 4).matches("[0-7]{3}")) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
