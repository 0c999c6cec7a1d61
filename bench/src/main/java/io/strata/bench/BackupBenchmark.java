package io.strata.bench;

import io.strata.backupstore.BackupProgress;
import io.strata.backupstore.target.DirectoryTarget;
import io.strata.bench.Report.Comparison;
import io.strata.control.VolumeRestoreSink;
import io.strata.domain.SnapshotName;
import io.strata.domain.VolumeName;
import io.strata.engine.Volume;
import io.strata.engine.VolumeStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Strata's backup and restore against restic and against the ceiling of the tools that do the same
 * work per byte ({@code lz4 -1} and {@code sha512sum}), in one run on one disk:
 *
 * <ul>
 *   <li><b>A</b> ({@link FullBackupCase}): a full backup of a volume (half random, a quarter
 *       text-like, a quarter never written) to a new directory target, against {@code restic backup}
 *       of the same content as one file into a new repository, and against the ceiling over the
 *       written data;</li>
 *   <li><b>B</b> ({@link IncrementalBackupCase}): on a larger volume, fully written and backed up, 1%
 *       of the 2 MiB blocks change; the incremental backup against a full backup (to a new target) of
 *       a volume holding just those blocks;</li>
 *   <li><b>C</b> ({@link FullBackupCase#restores}): restore of A's backup into a new volume, flushed,
 *       against {@code restic restore} of A's repository followed by an fsync of the restored file.</li>
 * </ul>
 *
 * Contenders take turns within each repetition, rotating which goes first, and every timed step
 * starts from the same state ({@link BackupRun#prepare}). Every restore is checked against the source
 * by CRC32C, and the incremental backup against the reference block by block, so that a fast wrong
 * answer fails the run instead of making the table.
 */
final class BackupBenchmark {
    /** What the table and its notes show. */
    record Outcome(List<Comparison> rows, List<String> header, List<String> notes) {}

    private final Options options;

    BackupBenchmark(Options options) {
        this.options = options;
    }

    Outcome run(Path dir) throws IOException {
        try (BackupRun bench = new BackupRun(options, new Tools(dir.resolve("logs")));
             VolumeStore engine = VolumeStore.open(dir.resolve("engine"))) {
            StrataBench.progress("backup: warming up (small backups, restores and tool runs, untimed)");
            warmUp(bench, engine, Files.createDirectory(dir.resolve("warm-up")));
            StrataBench.deleteTree(dir.resolve("warm-up"));

            Path a = Files.createDirectory(dir.resolve("full"));
            FullBackupCase full = new FullBackupCase(bench, engine, a);
            List<Comparison> rows = new ArrayList<>(full.backups());
            rows.add(full.restores());
            full.close();
            StrataBench.deleteTree(a);

            Path b = Files.createDirectory(dir.resolve("incremental"));
            rows.add(2, new IncrementalBackupCase(bench, engine, b).run());
            StrataBench.deleteTree(b);

            List<String> notes = new ArrayList<>(bench.notes);
            notes.sort(Comparator.comparing(note -> note.charAt(0))); // A, B, C as in the table; stable within
            bench.othersNote().ifPresent(notes::add);
            return new Outcome(rows, bench.header, notes);
        }
    }

    /** A few small rounds of everything, so the JIT has compiled the paths and the tools' binaries are in the page cache. */
    private static void warmUp(BackupRun bench, VolumeStore engine, Path dir) throws IOException {
        long size = 64L << 20;
        Volume volume = engine.create(VolumeName.of("warm-up"), size);
        BackupData.writeRandom(volume, 0, size / 2, 1);
        BackupData.writeText(volume, size / 2, size / 4, 1);
        for (int round = 0; round < 4; round++) {
            volume.createSnapshot(SnapshotName.of("w" + round), Map.of(), true);
            bench.backup(dir.resolve("target"), volume, "w" + round, "warm-up");
            bench.backup(dir.resolve("target-" + round), volume, "w" + round, "warm-up");
            Volume restored = engine.create(VolumeName.of("warm-up-restored"), size);
            DirectoryTarget target = new DirectoryTarget("file://" + dir.resolve("target"), dir.resolve("target"));
            bench.store(target).restore("warm-up", "backup-w" + round, new VolumeRestoreSink(restored),
                    bench.settings.workers(), new BackupProgress());
            engine.delete(restored.name());
            BackupData.writeRandom(volume, round * (4L << 20), 4L << 20, round + 2);
        }
        engine.delete(volume.name());
        Path file = dir.resolve("warm-up.img");
        try (PlainFileDevice plain = PlainFileDevice.create(file, 16L << 20)) {
            BackupData.writeRandom(plain, 0, 16L << 20, 1);
        }
        bench.tools.resticInit(dir.resolve("restic"));
        bench.tools.resticBackup(dir.resolve("restic"), file);
        bench.tools.resticRestore(dir.resolve("restic"), dir.resolve("restic-restore"));
        bench.tools.ceiling(file, dir.resolve("warm-up.img.lz4"));
    }
}
