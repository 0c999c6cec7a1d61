package io.strata.bench;

import io.strata.backupstore.BackupProgress;
import io.strata.backupstore.BackupStore;
import io.strata.backupstore.BackupStore.BackupRequest;
import io.strata.backupstore.lock.BackupLock;
import io.strata.backupstore.target.DirectoryTarget;
import io.strata.control.SnapshotBackupSource;
import io.strata.domain.SnapshotName;
import io.strata.engine.Extent;
import io.strata.engine.SnapshotReader;
import io.strata.engine.Volume;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.Stream;

/**
 * What the backup benchmark's cases share: the settings, the tools, Strata's backups as the control
 * module wires them, the untimed preparation before each timed step, and the lines the report prints
 * above and below the table.
 */
final class BackupRun implements AutoCloseable {
    static final long BLOCK = 2L << 20;
    /** Share of the incremental volume's blocks that change between its backups. */
    static final double CHANGED_SHARE = 0.01;
    static final double MIB = 1 << 20;

    final Options options;
    final Options.Backup settings;
    final Tools tools;
    final List<String> header = new ArrayList<>();
    final List<String> notes = new ArrayList<>();
    private final ScheduledExecutorService lockRefresh = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "backup-lock-refresh");
        t.setDaemon(true);
        return t;
    });
    private static final Duration QUIET_WAIT = Duration.ofMinutes(2);
    private static final Duration QUIET_WINDOW = Duration.ofSeconds(2);

    private final List<CpuMeter.Shares> othersShares = new ArrayList<>();
    private CpuMeter.Sample stepStart = CpuMeter.sample();

    BackupRun(Options options, Tools tools) {
        this.options = options;
        this.settings = options.backup();
        this.tools = tools;
    }

    /** A backupstore on a directory target, locked as the control module locks it. */
    BackupStore store(DirectoryTarget target) {
        return new BackupStore(target, locks(target), Clock.systemUTC());
    }

    /** A backup of the snapshot to a directory target (created when new), named {@code backup-<snapshot>}. */
    BackupProgress backup(Path targetDir, Volume volume, String snapshot, String backupVolume) throws IOException {
        BackupStore store = store(new DirectoryTarget("file://" + targetDir, targetDir));
        BackupProgress progress = new BackupProgress();
        try (SnapshotBackupSource source = new SnapshotBackupSource(volume, SnapshotName.of(snapshot))) {
            store.backup(new BackupRequest(backupVolume, Optional.of("backup-" + snapshot), source, false,
                    settings.compression(), BLOCK, Map.of(), settings.workers()), progress);
        }
        return progress;
    }

    /**
     * Longhorn's lock protocol with no settle time: production waits 2 s for rival lockers to show,
     * a constant that would only blur what the benchmark measures.
     */
    private BackupStore.Locks locks(DirectoryTarget target) {
        return (volume, type) -> BackupLock.acquire(target, volume, type, Clock.systemUTC(), Duration.ZERO, lockRefresh);
    }

    interface Source {
        void read() throws IOException;
    }

    /**
     * Untimed, before each timed step: write back the dirty pages of the step before ({@code sync -f}),
     * wait {@code --quiesce} seconds and then for a quiet machine, then read the step's source once.
     *
     * <p>The wait is for this kind of machine: a VM whose balloon takes freed memory back (free page
     * reporting). Writing into page cache that was freed a moment ago costs about 0.3 s/GiB here;
     * once the hypervisor has taken it back (15-20 s later) it costs about 3 s/GiB. Without the wait a
     * step that follows a deletion would write several times faster than one that does not, and the
     * order of the contenders would decide the ratios. The read puts every source in the page cache
     * (the VM also pages out page cache idle for 30 s).
     */
    void prepare(Path dir, Source source) throws IOException {
        tools.settle(dir);
        sleep(Duration.ofSeconds(settings.quiesceSeconds()));
        awaitQuietMachine();
        source.read();
        stepStart = CpuMeter.sample();
    }

    /**
     * Waits, for at most {@link #QUIET_WAIT}, until other processes have used less than a tenth of the
     * CPU for {@link #QUIET_WINDOW}: a step that starts in the middle of someone else's build measures
     * the build. The step's own progress line says whether others came back meanwhile.
     */
    private void awaitQuietMachine() throws IOException {
        long deadline = System.nanoTime() + QUIET_WAIT.toNanos();
        boolean told = false;
        while (true) {
            CpuMeter.Sample from = CpuMeter.sample();
            sleep(QUIET_WINDOW);
            double others = CpuMeter.shares(from, CpuMeter.sample()).otherProcesses();
            if (Double.isNaN(others) || others < 0.1) {
                return;
            }
            if (System.nanoTime() > deadline) {
                StrataBench.progress(String.format(Locale.ROOT, "  other processes still use %.0f%% of the CPU; going on",
                        others * 100));
                return;
            }
            if (!told) {
                StrataBench.progress(String.format(Locale.ROOT, "  other processes use %.0f%% of the CPU; waiting up to %d s"
                        + " for them to finish", others * 100, QUIET_WAIT.toSeconds()));
                told = true;
            }
        }
    }

    private static void sleep(Duration duration) throws IOException {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting before a timed step", e);
        }
    }

    /** Logs a timed step's seconds and the CPU others took meanwhile, and keeps those shares for the notes. */
    void took(double seconds) {
        CpuMeter.Shares others = CpuMeter.shares(stepStart, CpuMeter.sample());
        othersShares.add(others);
        StrataBench.progress(String.format(Locale.ROOT, "  took %.2f s; meanwhile other processes used %.0f%% of the CPU,"
                + " the kernel %.0f%%", seconds, others.otherProcesses() * 100, others.kernel() * 100));
    }

    /** The note on how much CPU others took during the timed steps, if /proc told. */
    Optional<String> othersNote() {
        double[] processes = othersShares.stream().mapToDouble(CpuMeter.Shares::otherProcesses).filter(d -> !Double.isNaN(d)).toArray();
        double[] kernel = othersShares.stream().mapToDouble(CpuMeter.Shares::kernel).filter(d -> !Double.isNaN(d)).toArray();
        if (processes.length == 0) {
            return Optional.empty();
        }
        return Optional.of(String.format(Locale.ROOT, "   during the timed steps other processes used a median %.0f%% (at most"
                + " %.0f%%) of the CPU, the kernel (write-back of the steps' own data among them) %.0f%% (at most"
                + " %.0f%%); the progress lines on stderr give them per step", Report.medianOf(processes) * 100,
                Arrays.stream(processes).max().orElse(0) * 100, Report.medianOf(kernel) * 100,
                Arrays.stream(kernel).max().orElse(0) * 100));
    }

    @Override
    public void close() {
        lockRefresh.shutdownNow();
    }

    // ------------------------------------------------------------------ reading sources into the page cache

    static void readFile(Path file) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocateDirect(BackupData.CHUNK);
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            while (in.read(buffer.clear()) >= 0) {
                // only to have it in the page cache
            }
        }
    }

    static void readTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path file : paths.filter(Files::isRegularFile).toList()) {
                readFile(file);
            }
        }
    }

    static void readAllocated(Volume volume, String snapshot) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocateDirect(BackupData.CHUNK);
        try (SnapshotReader reader = volume.openSnapshot(SnapshotName.of(snapshot))) {
            for (Extent extent : reader.allocatedExtents()) {
                for (long at = extent.offset(); at < extent.offset() + extent.length(); at += BackupData.CHUNK) {
                    int n = (int) Math.min(BackupData.CHUNK, extent.offset() + extent.length() - at);
                    reader.readAt(buffer.clear().limit(n), at);
                }
            }
        }
    }

    static void readBlocks(Volume volume, SnapshotName snapshot, TreeSet<Long> blocks) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocateDirect((int) BLOCK);
        try (SnapshotReader reader = volume.openSnapshot(snapshot)) {
            for (long block : blocks) {
                reader.readAt(buffer.clear(), block * BLOCK);
            }
        }
    }

    // ------------------------------------------------------------------ small helpers

    interface Keep {
        void accept(Path path);
    }

    /** The last repetition's backup is kept for the restores; the others are deleted at once. */
    static void keepLast(boolean last, Path path, Keep keep) throws IOException {
        if (last) {
            keep.accept(path);
        } else {
            StrataBench.deleteTree(path);
        }
    }

    static double seconds(long nanos) {
        return nanos / 1e9;
    }

    static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException(what + ": the benchmark's numbers would be meaningless");
        }
    }

    static long treeSize(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            return paths.filter(Files::isRegularFile).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).sum();
        }
    }
}
