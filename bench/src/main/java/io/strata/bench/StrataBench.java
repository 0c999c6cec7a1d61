package io.strata.bench;

import io.strata.domain.ByteSize;
import io.strata.domain.StrataException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Entry point: prints the I/O table (engine vs plain file) and the snapshot-latency table to
 * standard output, progress to standard error. Everything it writes goes into a fresh directory
 * under {@code --dir}, removed at the end even when the run fails.
 */
public final class StrataBench {
    private static final long STARTED = System.nanoTime();

    private StrataBench() {}

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (Options.UsageException | StrataException.InvalidArgument | NumberFormatException e) {
            if (e.getMessage() != null) {
                System.err.println("strata-bench: " + e.getMessage());
            }
            System.err.print(Options.USAGE);
            System.exit(e.getMessage() == null ? 0 : 2);
            return;
        }
        if (options.backup().run() && !Tools.missing().isEmpty()) {
            List<String> missing = Tools.missing();
            System.err.println("strata-bench: the backup benchmark needs " + String.join(", ", missing)
                    + " on the PATH: apt-get install " + String.join(" ", missing.stream()
                    .map(t -> t.equals("sha512sum") || t.equals("sync") ? "coreutils" : t).distinct().toList()));
            System.exit(1);
            return;
        }
        Files.createDirectories(options.dir());
        Path work = Files.createTempDirectory(options.dir().toAbsolutePath(), "run-");
        try {
            run(options, work, System.out);
        } finally {
            progress("removing " + work);
            deleteTree(work);
        }
    }

    private static void run(Options options, Path work, PrintStream out) throws IOException {
        printHeader(options, work, out);
        progress("warming up the JIT on 64 MiB scratch targets");
        WarmUp.run(Files.createDirectory(work.resolve("warm-up")), options.threads());
        deleteTree(work.resolve("warm-up"));

        if (options.backup().run()) {
            runBackup(options, work, out);
        }
        if (options.io()) {
            progress("I/O table: filling, layering and verifying the targets, then " + options.repetitions()
                    + " repetitions per phase");
            Path dir = Files.createDirectory(work.resolve("io"));
            IoBenchmark.Outcome outcome = new IoBenchmark(options).run(dir);
            deleteTree(dir);
            out.println();
            out.printf(Locale.ROOT, "I/O, one run, same disk (median of %d repetitions)%n", options.repetitions());
            out.printf(Locale.ROOT, "  %d-layer volume: %d layers during the reads; a 1 MiB read there resolves into %.1f pieces"
                    + " (one positional read each) on average; %d layers at the end%n", options.layers(),
                    outcome.layersAtStart(), outcome.runsPerSequentialRead(), outcome.layersAtEnd());
            out.println("  fill row: each repetition writes new targets; the last ones are kept for the other rows");
            out.printf(Locale.ROOT, "  %dL write rows: into an empty head, so they allocate file space and page cache like the fill"
                    + " row, where the other two columns overwrite in place%n", options.layers());
            out.println("  contents of all three targets checked equal after layering and after the write phases");
            out.println();
            Report.printIo(out, outcome.rows(), options.layers());
            out.printf(Locale.ROOT, "%n  reference: a new plain file written in 1 MiB writes right after the last row ran at %.1f MiB/s;"
                    + "%n  the %d-layer write rows write into an empty head and compare with that, not with an overwrite in place%n",
                    outcome.newPlainFileMibPerSecond(), options.layers());
            out.flush();
        }
        if (options.snapshotLatency()) {
            List<Report.Latencies> cases = new SnapshotBenchmark(options).run(Files.createDirectory(work.resolve("snapshots")));
            out.println();
            out.printf(Locale.ROOT, "Snapshot create latency, in process (%d snapshots per case, each after %d random 4 KiB"
                    + " writes + flush; only createSnapshot timed)%n", options.snapshots(), 16);
            out.println();
            Report.printSnapshots(out, cases);
        }
        out.println();
        out.printf(Locale.ROOT, "total run time %.0f s; load average at the end %s%n", elapsedSeconds(), loadAverage());
        out.flush();
    }

    private static void runBackup(Options options, Path work, PrintStream out) throws IOException {
        Options.Backup settings = options.backup();
        BackupBenchmark.Outcome outcome = new BackupBenchmark(options).run(Files.createDirectory(work.resolve("backup")));
        out.println();
        out.printf(Locale.ROOT, "Backup and restore, one run, same disk (median of %d repetitions; seconds of wall-clock time)%n",
                options.repetitions());
        for (String line : outcome.header()) {
            out.println("  " + line);
        }
        out.printf(Locale.ROOT, "  Strata    in process, %s, 2 MiB blocks, %d workers, to a new directory target on the same disk"
                + " (every block file fsynced, as the target always does); backupstore lock without its 2 s settle wait%n",
                settings.compression().method(), settings.workers());
        out.println("  ceiling   lz4 -1 -c data > file and sha512sum data, both started at once (one per core), over the written"
                + " data only (no holes); nothing fsynced");
        out.println("  order     the contenders take turns in each repetition, rotating which goes first");
        out.printf(Locale.ROOT, "  before    each timed step, untimed: sync -f, a %d s wait (memory freed by the step before goes back to the"
                + " hypervisor, so every step allocates page cache alike), a wait of up to 2 min for other processes to"
                + " use < 10%% of the CPU, one read of the step's source (so every contender reads it from the page"
                + " cache)%n", settings.quiesceSeconds());
        out.println();
        Report.printBackup(out, outcome.rows());
        out.println();
        for (String note : outcome.notes()) {
            out.println("  " + note);
        }
        out.flush();
    }

    private static void printHeader(Options options, Path work, PrintStream out) throws IOException {
        FileStore store = Files.getFileStore(work);
        out.println(options.backup().run() ? "Strata backup and restore vs restic" : "Strata engine vs plain file");
        out.printf(Locale.ROOT, "  dir       %s (%s on %s, %s free)%n", work, store.type(), store.name(),
                ByteSize.human(store.getUsableSpace()));
        out.printf(Locale.ROOT, "  machine   %d cores, JDK %s, max heap %s%n", Runtime.getRuntime().availableProcessors(),
                Runtime.version(), ByteSize.human(Runtime.getRuntime().maxMemory()));
        out.printf(Locale.ROOT, "  load      %s (load average at the start: 1, 5, 15 minutes; other work on the machine skews the"
                + " figures)%n", loadAverage());
        if (!options.io() && !options.snapshotLatency()) {
            out.flush();
            return;
        }
        out.printf(Locale.ROOT, "  targets   %s each: a plain file (FileChannel positional I/O, force(false) to flush), a volume"
                + " of 1 layer, a volume of %d layers%n", ByteSize.human(options.size()), options.layers());
        out.printf(Locale.ROOT, "  layering  after the fill: %d x (snapshot the layered volume, then overwrite a random 10%%"
                + " of all blocks in units of %s, as 4 KiB writes); the other two get the same writes%n", options.layers() - 1,
                ByteSize.human(options.overwriteBlocks() * 4096L));
        out.printf(Locale.ROOT, "  random    %,d ops of 4 KiB per phase over the whole target, seed %d; threaded rows split"
                + " them over %d threads%n", options.randomOps(), options.seed(), options.threads());
        out.println("  writes    every write phase ends with flush() inside the timing (plain: force(false); engine:"
                + " Volume.flush(), data + block map)");
        out.println("            before each write repetition the layered volume takes an untimed snapshot, so its writes"
                + " land in an empty head");
        out.println("  caches    page cache not dropped: every target fits in RAM, so reads come from the page cache for"
                + " all columns alike");
        out.println("            (this compares the software paths, not the disk); writes reach the disk through the flush");
        out.println("  order     each phase runs on the three targets in turn, rotating which goes first; reads get one"
                + " untimed pass first");
        out.flush();
    }

    private static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return fields[0] + " " + fields[1] + " " + fields[2];
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    /** A progress line on standard error, with the time since start. */
    static void progress(String message) {
        System.err.printf(Locale.ROOT, "[%4.0fs] %s%n", elapsedSeconds(), message);
    }

    private static double elapsedSeconds() {
        return (System.nanoTime() - STARTED) / 1e9;
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
