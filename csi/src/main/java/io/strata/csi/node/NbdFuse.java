package io.strata.csi.node;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An NBD export as a file, served by nbdfuse (libnbd's FUSE server) at
 * {@code <work dir>/fuse/volume}: the attachment of machines without the kernel's nbd module. The
 * file is what the loop device is bound to.
 *
 * <p>nbdfuse runs as a process of its own, in its own session: it outlives a crash of the server
 * process (its NBD connections do not: the file then fails every read and write), and it is found
 * again by its command line, which names the mount point. It stops when its mount point is unmounted.
 */
final class NbdFuse {

    static final String FILE_NAME = "volume";
    private static final Duration READY_WAIT = Duration.ofSeconds(30);
    private static final Duration EXIT_WAIT = Duration.ofSeconds(5);

    private final Os os;
    private final Path nbdSocket;

    NbdFuse(Os os, Path nbdSocket) {
        this.os = os;
        this.nbdSocket = nbdSocket;
    }

    static Path mountPoint(Path workDir) {
        return workDir.resolve("fuse");
    }

    static Path file(Path workDir) {
        return mountPoint(workDir).resolve(FILE_NAME);
    }

    /**
     * Starts nbdfuse on {@code export} and waits until its file is served.
     *
     * @return the nbdfuse process id
     */
    long attach(String export, Path workDir, boolean readOnly) throws IOException {
        Path mountPoint = mountPoint(workDir);
        Files.createDirectories(mountPoint);
        Path pidFile = workDir.resolve("nbdfuse.pid");
        Path log = workDir.resolve("nbdfuse.log");
        Files.deleteIfExists(pidFile);
        List<String> argv = new ArrayList<>(List.of("nbdfuse", "--pidfile", pidFile.toString()));
        if (readOnly) {
            argv.add("--readonly");
        }
        argv.addAll(List.of(file(workDir).toString(), uri(export, nbdSocket)));
        long started = os.start(argv, log);
        long deadline = System.nanoTime() + READY_WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<Long> ready = readPid(pidFile);
            if (ready.isPresent() && Mounts.at(mountPoint).isPresent()) {
                return ready.get();
            }
            if (ProcessHandle.of(started).map(p -> !p.isAlive()).orElse(true)) {
                throw new IOException("nbdfuse could not serve export '" + export + "' from " + nbdSocket + HostOs.quoted(tail(log)));
            }
            sleep(20);
        }
        throw new IOException("nbdfuse did not serve export '" + export + "' within " + READY_WAIT.toSeconds() + " s"
                + HostOs.quoted(tail(log)));
    }

    /**
     * Stops serving: unmounts the FUSE mount point, which ends nbdfuse, and ends any nbdfuse of this
     * work directory still running (one that never got its mount up, or a mount point that is gone).
     * Nothing there is fine.
     *
     * @throws IOException when the file is still in use (a loop device is still bound to it)
     */
    void detach(Path workDir) throws IOException {
        Path mountPoint = mountPoint(workDir);
        if (Mounts.at(mountPoint).isPresent()) {
            os.run(Command.of("umount", mountPoint.toString()));
        }
        for (ProcessHandle process : processes(workDir)) {
            if (!waitForExit(process, EXIT_WAIT)) {
                process.destroy();
                if (!waitForExit(process, EXIT_WAIT)) {
                    process.destroyForcibly();
                    waitForExit(process, EXIT_WAIT);
                }
            }
        }
        if (!processes(workDir).isEmpty()) {
            throw new IOException("nbdfuse of " + mountPoint + " does not stop");
        }
    }

    /** Why the attachment does not serve, or empty when its process and mount are there. */
    Optional<String> problem(Path workDir) throws IOException {
        if (processes(workDir).isEmpty()) {
            return Optional.of("its nbdfuse process is gone");
        }
        if (Mounts.at(mountPoint(workDir)).filter(m -> m.fsType().startsWith("fuse")).isEmpty()) {
            return Optional.of("its FUSE mount at " + mountPoint(workDir) + " is gone");
        }
        return Optional.empty();
    }

    /** Running nbdfuse processes serving {@code workDir}, found by their command line. */
    static List<ProcessHandle> processes(Path workDir) throws IOException {
        String file = file(workDir).toString();
        List<ProcessHandle> found = new ArrayList<>();
        try (DirectoryStream<Path> proc = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path dir : proc) {
                List<String> argv = commandLine(dir);
                if (!argv.isEmpty() && Path.of(argv.getFirst()).getFileName().toString().equals("nbdfuse") && argv.contains(file)) {
                    ProcessHandle.of(Long.parseLong(dir.getFileName().toString())).filter(ProcessHandle::isAlive).ifPresent(found::add);
                }
            }
        }
        return found;
    }

    /** {@code nbd+unix:///EXPORT?socket=PATH}, both parts escaped as a URI needs. */
    static String uri(String export, Path socket) {
        return "nbd+unix:///" + escape(export, false) + "?socket=" + escape(socket.toString(), true);
    }

    private static String escape(String text, boolean keepSlash) {
        StringBuilder out = new StringBuilder();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            boolean unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~' || (keepSlash && c == '/');
            if (unreserved) {
                out.append(c);
            } else {
                out.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return out.toString();
    }

    private static List<String> commandLine(Path procDir) {
        try {
            String raw = new String(Files.readAllBytes(procDir.resolve("cmdline")), StandardCharsets.UTF_8);
            return raw.isEmpty() ? List.of() : List.of(raw.split("\0"));
        } catch (IOException e) {
            return List.of(); // gone meanwhile, or not ours to read
        }
    }

    private static Optional<Long> readPid(Path pidFile) throws IOException {
        try {
            String text = Files.readString(pidFile).strip();
            return text.matches("\\d+") ? Optional.of(Long.parseLong(text)) : Optional.empty();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        } catch (IOException e) {
            return "";
        }
    }

    private static boolean waitForExit(ProcessHandle process, Duration limit) {
        try {
            process.onExit().get(limit.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return !process.isAlive();
        } catch (java.util.concurrent.ExecutionException e) {
            return !process.isAlive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !process.isAlive();
        }
    }

    private static void sleep(long millis) throws IOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for nbdfuse");
        }
    }
}
