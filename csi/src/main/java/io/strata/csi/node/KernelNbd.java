package io.strata.csi.node;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * An NBD export as a kernel NBD device ({@code /dev/nbdN}), connected by {@code nbd-client}: the
 * attachment where the nbd module is loaded. {@code -persist} asks nbd-client to reconnect when the
 * server comes back after a restart, so that I/O pauses instead of failing for good. (Machines
 * without the nbd module, the test machines among them, use {@link NbdFuse}.)
 *
 * <p>Devices are picked here, one at a time in this process; a device is free when the kernel shows
 * no client for it ({@code /sys/block/nbdN/pid} absent).
 */
final class KernelNbd {

    private static final Duration CONNECT_WAIT = Duration.ofSeconds(30);

    private final Os os;
    private final Path nbdSocket;

    KernelNbd(Os os, Path nbdSocket) {
        this.os = os;
        this.nbdSocket = nbdSocket;
    }

    /**
     * Connects {@code export} to a free NBD device; {@code chosen} hears the device before anything is
     * connected, so that a crash leaves it written down.
     */
    synchronized Path attach(String export, boolean readOnly, Consumer<Path> chosen) throws IOException {
        Path device = free();
        chosen.accept(device);
        List<String> argv = new ArrayList<>(List.of("nbd-client", "-unix", nbdSocket.toString(), device.toString(), "-N", export,
                "-block-size", "4096", "-persist"));
        if (readOnly) {
            argv.add("-readonly");
        }
        os.run(Command.of(argv));
        long deadline = System.nanoTime() + CONNECT_WAIT.toNanos();
        while (!connected(device)) {
            if (System.nanoTime() > deadline) {
                throw new IOException("nbd-client connected " + device + " to export '" + export + "', but the kernel shows no client");
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while waiting for " + device);
            }
        }
        return device;
    }

    /** Disconnects {@code device}; one not connected is fine. */
    void detach(Path device) throws IOException {
        if (connected(device)) {
            os.run(Command.of("nbd-client", "-d", device.toString()));
        }
    }

    Optional<String> problem(Path device) {
        return connected(device) ? Optional.empty() : Optional.of("its NBD device " + device + " is not connected");
    }

    private static boolean connected(Path device) {
        return Files.exists(Path.of("/sys/block", device.getFileName().toString(), "pid"));
    }

    private static Path free() throws IOException {
        for (int i = 0; Files.exists(Path.of("/dev/nbd" + i)); i++) {
            Path device = Path.of("/dev/nbd" + i);
            if (!connected(device)) {
                return device;
            }
        }
        throw new IOException("every NBD device (/dev/nbd*) is in use: load the nbd module with more (nbds_max)");
    }
}
