package io.strata.csi.node;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Whether a staged volume still works: its attachment serves, its loop device is bound to it, its
 * filesystem is mounted at the staging path, and, when asked, a read through the whole stack comes
 * back. The read matters most: after the server process has gone, every piece is still in place,
 * yet no I/O gets through.
 */
final class Health {

    private static final Duration READ_LIMIT = Duration.ofSeconds(5);
    private static final int BLOCK = 4096;

    private final LoopDevices loops;
    private final NbdFuse fuse;
    private final KernelNbd kernel;

    Health(LoopDevices loops, NbdFuse fuse, KernelNbd kernel) {
        this.loops = loops;
        this.fuse = fuse;
        this.kernel = kernel;
    }

    /** What is wrong with a staged volume, or empty when nothing is. */
    Optional<String> problem(NodeRecords.Staged staged, boolean readDevice) throws IOException {
        if (!staged.staged()) {
            return Optional.of("its staging never finished");
        }
        Optional<String> attachment = switch (staged.attach()) {
            case Staging.FUSE -> fuse.problem(Path.of(staged.workDir()));
            default -> kernel.problem(Path.of(staged.nbdDevice()));
        };
        if (attachment.isPresent()) {
            return attachment;
        }
        Path loop = Path.of(staged.loopDevice());
        if (!loops.bound(loop) || !loops.backedBy(Staging.backing(staged)).contains(loop)) {
            return Optional.of("its loop device " + loop + " is gone");
        }
        if (!staged.block()) {
            String device = loops.majorMinor(loop);
            Path stagingPath = Path.of(staged.stagingPath());
            if (Mounts.at(stagingPath).filter(m -> m.device().equals(device)).isEmpty()) {
                return Optional.of("its filesystem is no longer mounted at " + stagingPath);
            }
        }
        return readDevice ? readFails(loop) : Optional.empty();
    }

    /**
     * Reads the first block of {@code device} with O_DIRECT, so the page cache cannot answer for the
     * device, within {@link #READ_LIMIT}.
     */
    static Optional<String> readFails(Path device) {
        FutureTask<Void> read = new FutureTask<>(() -> {
            try (FileChannel channel = FileChannel.open(device, StandardOpenOption.READ, com.sun.nio.file.ExtendedOpenOption.DIRECT)) {
                ByteBuffer buffer = ByteBuffer.allocateDirect(2 * BLOCK).alignedSlice(BLOCK).limit(BLOCK);
                channel.read(buffer, 0);
            }
            return null;
        });
        Thread.ofVirtual().name("device-probe").start(read);
        try {
            read.get(READ_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
            return Optional.empty();
        } catch (TimeoutException e) {
            read.cancel(true);
            return Optional.of("a read of " + device + " did not return within " + READ_LIMIT.toSeconds() + " s");
        } catch (ExecutionException e) {
            return Optional.of("reading " + device + " fails (" + e.getCause().getMessage() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted while reading " + device);
        }
    }
}
