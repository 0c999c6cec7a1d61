package io.strata.csi.node;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What a test left on the machine under its directory: mounts, loop devices bound to files there,
 * nbdfuse processes serving there. Mounts and loop devices are the host's, not the test's, so a
 * test that fails half-way must not leave them: registered as an extension, this sweeps them away
 * after each test (before JUnit deletes the directory), whatever the test's outcome.
 * {@link #under} lets a test assert that the code under test left nothing itself.
 *
 * <pre>{@code @RegisterExtension final HostLeftovers leftovers = new HostLeftovers(() -> tmp);}</pre>
 */
public final class HostLeftovers implements AfterEachCallback {

    private final Supplier<Path> root;

    public HostLeftovers(Supplier<Path> root) {
        this.root = root;
    }

    /** Everything left under {@code dir}: one line per mount, loop device and nbdfuse process. */
    public static List<String> under(Path dir) throws IOException {
        List<String> found = new ArrayList<>();
        for (Mounts.Mount mount : Mounts.under(dir.toRealPath())) {
            found.add("mount " + mount.mountPoint() + " (" + mount.fsType() + ")");
        }
        for (String[] loop : loops()) {
            if (loop[1].startsWith(dir.toRealPath().toString())) {
                found.add("loop device " + loop[0] + " on " + loop[1]);
            }
        }
        for (long pid : nbdfuses(dir.toRealPath())) {
            found.add("nbdfuse process " + pid);
        }
        return found;
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        Path dir = root.get();
        if (dir != null && Files.exists(dir)) {
            sweep(dir.toRealPath());
        }
    }

    /** Lazily unmounts, detaches and kills whatever is left under {@code dir}: filesystems first, FUSE last. */
    public static void sweep(Path dir) throws IOException, InterruptedException {
        List<Mounts.Mount> mounts = new ArrayList<>(Mounts.under(dir));
        mounts.sort(Comparator.comparingInt((Mounts.Mount m) -> m.fsType().startsWith("fuse") ? 0 : 1)
                .thenComparingInt(m -> m.mountPoint().getNameCount()).reversed());
        for (Mounts.Mount mount : mounts) {
            if (!mount.fsType().startsWith("fuse")) {
                run("umount", "--lazy", mount.mountPoint().toString());
            }
        }
        for (String[] loop : loops()) {
            if (loop[1].startsWith(dir.toString())) {
                run("losetup", "--detach", loop[0]);
            }
        }
        for (Mounts.Mount mount : mounts) {
            if (mount.fsType().startsWith("fuse")) {
                run("umount", "--lazy", mount.mountPoint().toString());
            }
        }
        for (long pid : nbdfuses(dir)) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    /** {@code [device, backing file]} of every bound loop device. */
    private static List<String[]> loops() throws IOException {
        List<String[]> loops = new ArrayList<>();
        try (DirectoryStream<Path> devices = Files.newDirectoryStream(Path.of("/sys/block"), "loop*")) {
            for (Path device : devices) {
                Path backing = device.resolve("loop/backing_file");
                if (Files.exists(backing)) {
                    try {
                        loops.add(new String[] {"/dev/" + device.getFileName(), Files.readString(backing).strip()});
                    } catch (IOException detachedMeanwhile) {
                        // gone: nothing to report
                    }
                }
            }
        }
        return loops;
    }

    /** Live (not zombie) nbdfuse processes whose command line names a path under {@code dir}. */
    public static List<Long> nbdfuses(Path dir) throws IOException {
        List<Long> pids = new ArrayList<>();
        try (DirectoryStream<Path> proc = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path process : proc) {
                try {
                    String cmdline = new String(Files.readAllBytes(process.resolve("cmdline")), StandardCharsets.UTF_8);
                    String stat = Files.readString(process.resolve("stat"));
                    boolean zombie = stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
                    if (!zombie && cmdline.startsWith("nbdfuse\0") && cmdline.contains(dir.toString())) {
                        pids.add(Long.parseLong(process.getFileName().toString()));
                    }
                } catch (IOException goneMeanwhile) {
                    // not there any more
                }
            }
        }
        return pids;
    }

    private static void run(String... argv) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
    }
}
