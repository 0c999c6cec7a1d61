package io.strata.bench;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The reference tools the backup benchmark runs as processes: restic, and {@code lz4} plus
 * {@code sha512sum} as the ceiling. Each run's output goes to a log file in the run's directory,
 * shown when the tool fails. Timings are wall-clock from starting the process to its exit, so they
 * include the tool's own start-up, as a user of the tool would pay it.
 */
final class Tools {
    /** What the benchmark needs on the PATH. */
    static final List<String> REQUIRED = List.of("restic", "lz4", "sha512sum", "sync");
    /** The password of the benchmark's throw-away restic repositories. */
    private static final String RESTIC_PASSWORD = "strata-bench";

    private final Path logs;
    private int runs;

    Tools(Path logs) throws IOException {
        this.logs = Files.createDirectories(logs);
    }

    /** The tools of {@link #REQUIRED} not found on the PATH. */
    static List<String> missing() {
        List<String> out = new ArrayList<>();
        for (String tool : REQUIRED) {
            if (onPath(tool).isEmpty()) {
                out.add(tool);
            }
        }
        return out;
    }

    static Optional<Path> onPath(String tool) {
        String path = System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, tool);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** The first line {@code restic version} prints, e.g. {@code restic 0.14.0 compiled with go1.19.8 on linux/amd64}. */
    String resticVersion() throws IOException {
        return output("restic", "version").lines().findFirst().orElse("restic (unknown version)");
    }

    /** Creates a repository with restic's defaults (format, compression), untimed. Returns its config as JSON. */
    String resticInit(Path repository) throws IOException {
        time(List.of("restic", "-r", repository.toString(), "--no-cache", "-q", "init"));
        return output("restic", "-r", repository.toString(), "--no-cache", "cat", "config");
    }

    /** Backs up one file into a repository; returns the nanoseconds the process ran. */
    long resticBackup(Path repository, Path file) throws IOException {
        return time(List.of("restic", "-r", repository.toString(), "--no-cache", "-q", "backup", "--host", "strata-bench",
                file.toString()));
    }

    /** Restores the latest snapshot under {@code target}; returns the nanoseconds the process ran. */
    long resticRestore(Path repository, Path target) throws IOException {
        return time(List.of("restic", "-r", repository.toString(), "--no-cache", "-q", "restore", "latest", "--target",
                target.toString()));
    }

    /** {@code sync FILE}: fsync of that one file; returns the nanoseconds it took. */
    long fsync(Path file) throws IOException {
        return time(List.of("sync", file.toString()));
    }

    /**
     * {@code sync -f DIR}: writes back every dirty page of the file system, untimed, so that one timed
     * step does not pay for the write-back of the one before.
     */
    void settle(Path dir) throws IOException {
        time(List.of("sync", "-f", dir.toString()));
    }

    /**
     * The ceiling: {@code lz4 -1 -c data > out} and {@code sha512sum data}, started together (one per
     * core). Returns the nanoseconds until both exited, then lz4's own, then sha512sum's own.
     */
    long[] ceiling(Path data, Path compressed) throws IOException {
        Path hash = logs.resolve("sha512sum-" + ++runs + ".out");
        ProcessBuilder lz4 = new ProcessBuilder("lz4", "-1", "-c", data.toString())
                .redirectOutput(compressed.toFile()).redirectError(log("lz4").toFile());
        ProcessBuilder sha = new ProcessBuilder("sha512sum", data.toString())
                .redirectOutput(hash.toFile()).redirectError(log("sha512sum").toFile());
        long start = System.nanoTime();
        Process first = lz4.start();
        Process second = sha.start();
        CompletableFuture<Long> firstEnd = first.onExit().thenApply(p -> System.nanoTime());
        CompletableFuture<Long> secondEnd = second.onExit().thenApply(p -> System.nanoTime());
        int lz4Status = waitFor(first);
        int shaStatus = waitFor(second);
        long wall = System.nanoTime() - start;
        long[] ends = {firstEnd.join(), secondEnd.join()};
        if (lz4Status != 0 || shaStatus != 0) {
            throw new IOException("the ceiling's tools failed: lz4 exited " + lz4Status + ", sha512sum " + shaStatus
                    + "; see " + logs);
        }
        Files.delete(hash);
        return new long[] {wall, ends[0] - start, ends[1] - start};
    }

    private String output(String... command) throws IOException {
        Path out = log(command[0]);
        run(List.of(command), out);
        return Files.readString(out, StandardCharsets.UTF_8).strip();
    }

    private long time(List<String> command) throws IOException {
        return run(command, log(Path.of(command.getFirst()).getFileName().toString()));
    }

    private long run(List<String> command, Path log) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(k -> k.startsWith("RESTIC_"));
        env.put("RESTIC_PASSWORD", RESTIC_PASSWORD);
        long start = System.nanoTime();
        int status = waitFor(builder.start());
        long nanos = System.nanoTime() - start;
        if (status != 0) {
            throw new IOException(String.join(" ", command) + " exited with status " + status + ":\n"
                    + Files.readString(log, StandardCharsets.UTF_8).strip());
        }
        return nanos;
    }

    private Path log(String tool) {
        return logs.resolve(tool + "-" + ++runs + ".log");
    }

    private static int waitFor(Process process) throws IOException {
        try {
            return process.waitFor();
        } catch (InterruptedException e) {
            process.destroy();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for " + process.info().command().orElse("a tool"), e);
        }
    }
}
