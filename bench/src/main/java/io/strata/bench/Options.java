package io.strata.bench;

import io.strata.backupstore.format.Compression;
import io.strata.domain.ByteSize;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The benchmark's settings, from its command line.
 *
 * @param dir            where the targets' files go; created if missing, emptied of what the run made at the end
 * @param size           bytes of each I/O target (plain file and both volumes)
 * @param randomOps      4 KiB operations per random phase (split across threads in the threaded rows)
 * @param repetitions    timed repetitions per phase and target; the median is shown
 * @param threads        threads of the extra threaded random rows; 0 or 1 leaves those rows out
 * @param layers         layers of the layered volume: {@code layers - 1} snapshots under the head
 * @param seed           seed of every random choice, so that two runs do the same I/O
 * @param snapshots      snapshots taken per snapshot-latency case
 * @param snapshotVolume size of the sparse volume of the snapshot-latency cases
 * @param snapshotData   data held by that volume, one case per entry, ascending
 * @param io             run the I/O table
 * @param snapshotLatency run the snapshot-latency table
 * @param backup         the backup benchmark's settings, and whether it runs
 */
record Options(Path dir, long size, int randomOps, int repetitions, int threads, int layers, int overwriteBlocks, long seed,
               int snapshots, long snapshotVolume, List<Long> snapshotData, boolean io, boolean snapshotLatency,
               Backup backup) {

    /**
     * The backup benchmark's settings.
     *
     * @param run             whether it runs (then the I/O and snapshot tables do not)
     * @param volumeSize      the full backup's and the restore's volume: half random, a quarter text-like,
     *                        a quarter never written
     * @param incrementalSize the incremental case's volume, fully written, of which 1% of the blocks change
     * @param workers         the backup's and the restore's workers
     * @param compression     Strata's compression method
     * @param quiesceSeconds  wait before each timed step, so that memory freed by the step before is back
     *                        with the hypervisor and every step allocates page cache alike
     */
    record Backup(boolean run, long volumeSize, long incrementalSize, int workers, int quiesceSeconds,
                  Compression compression) {}

    static final String USAGE = """
            usage: strata-bench [options]
              --dir DIR              directory for the data (default ./strata-bench-data); put it on the disk to test
              --size SIZE            size of each I/O target (default 1Gi)
              --ops N                4 KiB operations per random phase (default 100000)
              --reps N               timed repetitions per phase, median shown (default 3)
              --threads N            threads of the extra threaded random rows, 0 = none (default 4)
              --layers N             layers of the layered volume (default 10: 9 snapshots + head)
              --overwrite-unit SIZE  unit of the random overwrites between those snapshots (default 4Ki, the
                                     most fragmenting; 1Mi models large writes)
              --seed N               seed of all random choices (default 42)
              --snapshots N          snapshots per snapshot-latency case (default 20)
              --snap-volume SIZE     sparse volume of the snapshot-latency cases (default 100Gi)
              --snap-data S1,S2,...  data held in that volume, one case each (default 1Gi,10Gi)
              --skip-io              only the snapshot-latency table
              --skip-snapshots       only the I/O table
              --backup               only the backup benchmark: Strata vs restic and vs lz4 + sha512sum
                                     (needs restic, lz4 and sha512sum on the PATH)
              --backup-size SIZE     volume of the full backup and the restore (default 2Gi: half random,
                                     a quarter text-like, a quarter never written)
              --incremental-size SIZE  volume of the incremental case, fully written; 1% of its 2 MiB
                                     blocks change (default 10Gi)
              --backup-workers N     workers of Strata's backups and restores (default: the number of cores)
              --quiesce SECONDS      wait before each timed backup step (default 20; see bench/README.md)
              --backup-compression M Strata's compression: lz4 (default), zstd, gzip or none
            sizes take binary suffixes: 4096, 512Mi, 1Gi, 1g, 100GiB
            """;

    private static final java.util.Set<String> VALUED = java.util.Set.of("--dir", "--size", "--ops", "--reps", "--threads",
            "--layers", "--overwrite-unit", "--seed", "--snapshots", "--snap-volume", "--snap-data", "--backup-size",
            "--incremental-size", "--backup-workers", "--quiesce", "--backup-compression");

    static Options parse(String[] args) {
        Path dir = Path.of("strata-bench-data");
        long size = 1L << 30;
        int ops = 100_000;
        int reps = 3;
        int threads = 4;
        int layers = 10;
        long overwriteUnit = 4096;
        long seed = 42;
        int snapshots = 20;
        long snapVolume = 100L << 30;
        List<Long> snapData = List.of(1L << 30, 10L << 30);
        boolean io = true;
        boolean snaps = true;
        boolean backup = false;
        long backupSize = 2L << 30;
        long incrementalSize = 10L << 30;
        int backupWorkers = Runtime.getRuntime().availableProcessors();
        int quiesce = 20;
        Compression compression = Compression.LZ4;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                value = arg.substring(eq + 1);
                arg = arg.substring(0, eq);
            }
            switch (arg) {
                case "--skip-io" -> io = false;
                case "--skip-snapshots" -> snaps = false;
                case "--backup" -> backup = true;
                case "--help", "-h" -> throw new UsageException(null);
                default -> {
                    if (!VALUED.contains(arg)) {
                        throw new UsageException("unknown option " + arg);
                    }
                    if (value == null) {
                        if (i + 1 >= args.length) {
                            throw new UsageException("option " + arg + " needs a value");
                        }
                        value = args[++i];
                    }
                    switch (arg) {
                        case "--dir" -> dir = Path.of(value);
                        case "--size" -> size = size(value);
                        case "--ops" -> ops = positive(arg, value);
                        case "--reps" -> reps = positive(arg, value);
                        case "--threads" -> threads = Integer.parseInt(value);
                        case "--layers" -> layers = positive(arg, value);
                        case "--overwrite-unit" -> overwriteUnit = size(value);
                        case "--seed" -> seed = Long.parseLong(value);
                        case "--snapshots" -> snapshots = positive(arg, value);
                        case "--snap-volume" -> snapVolume = size(value);
                        case "--snap-data" -> snapData = sizes(value);
                        case "--backup-size" -> backupSize = size(value);
                        case "--incremental-size" -> incrementalSize = size(value);
                        case "--backup-workers" -> backupWorkers = positive(arg, value);
                        case "--quiesce" -> quiesce = Integer.parseInt(value);
                        case "--backup-compression" -> compression = Compression.fromMethod(value);
                        default -> throw new UsageException("unknown option " + arg);
                    }
                }
            }
        }
        if (size < Workload.SEQUENTIAL_IO || size % Workload.SEQUENTIAL_IO != 0) {
            throw new UsageException("--size must be a positive multiple of 1 MiB");
        }
        if (overwriteUnit < 4096 || overwriteUnit % 4096 != 0 || overwriteUnit > Workload.SEQUENTIAL_IO) {
            throw new UsageException("--overwrite-unit must be a multiple of 4 KiB, at most 1 MiB");
        }
        if (layers > 200) {
            throw new UsageException("--layers must be at most 200: the engine holds at most 254 layers and the "
                    + "write phases add one snapshot per repetition");
        }
        if (snapData.getLast() > snapVolume || snapVolume % Workload.SEQUENTIAL_IO != 0) {
            throw new UsageException("--snap-data must fit in --snap-volume, a multiple of 1 MiB");
        }
        long backupUnit = 8L << 20; // four 2 MiB blocks, so that each quarter of the volume is whole blocks
        if (backupSize % backupUnit != 0) {
            throw new UsageException("--backup-size must be a positive multiple of 8 MiB");
        }
        if (incrementalSize % (2L << 20) != 0 || incrementalSize < (200L << 20)) {
            throw new UsageException("--incremental-size must be a multiple of 2 MiB, at least 200 MiB (100 blocks, so that"
                    + " 1% of them is at least one)");
        }
        return new Options(dir, size, ops, reps, Math.max(threads, 1), layers, (int) (overwriteUnit / 4096), seed,
                snapshots, snapVolume, snapData, io && !backup, snaps && !backup,
                new Backup(backup, backupSize, incrementalSize, backupWorkers, Math.max(0, quiesce), compression));
    }

    private static int positive(String option, String value) {
        int n = Integer.parseInt(value);
        if (n <= 0) {
            throw new UsageException(option + " must be positive");
        }
        return n;
    }

    private static List<Long> sizes(String value) {
        List<Long> out = new ArrayList<>();
        for (String part : value.split(",")) {
            out.add(size(part));
        }
        out.sort(null);
        return List.copyOf(out);
    }

    /** Accepts the domain's {@code 1Gi}/{@code 1GiB} and the shorthand {@code 1g}/{@code 1G}. */
    static long size(String text) {
        String t = text.strip();
        if (t.matches("\\d+[kmgtKMGT]")) {
            t = t.substring(0, t.length() - 1) + t.substring(t.length() - 1).toUpperCase(Locale.ROOT) + "i";
        }
        long bytes = ByteSize.parse(t);
        if (bytes <= 0) {
            throw new UsageException("size " + text + " must be positive");
        }
        return bytes;
    }

    /** A command-line mistake: the message and the usage are printed, the exit status is 2. */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }
}
