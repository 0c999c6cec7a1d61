package io.strata.bench;

import static io.strata.bench.BackupRun.MIB;
import static io.strata.bench.BackupRun.check;
import static io.strata.bench.BackupRun.keepLast;
import static io.strata.bench.BackupRun.readAllocated;
import static io.strata.bench.BackupRun.readFile;
import static io.strata.bench.BackupRun.readTree;
import static io.strata.bench.BackupRun.seconds;
import static io.strata.bench.BackupRun.treeSize;

import io.strata.backupstore.BackupProgress;
import io.strata.backupstore.BackupStore;
import io.strata.backupstore.target.DirectoryTarget;
import io.strata.bench.Report.Comparison;
import io.strata.control.VolumeRestoreSink;
import io.strata.domain.ByteSize;
import io.strata.domain.SnapshotName;
import io.strata.domain.VolumeName;
import io.strata.engine.SnapshotReader;
import io.strata.engine.Volume;
import io.strata.engine.VolumeStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Case A, full backups of one volume (half random, a quarter text-like, a quarter never written):
 * Strata to a new directory target, restic of the same content as one file into a new repository,
 * and the ceiling over the written data; then case C, restores of the last of those backups: Strata
 * into a new volume, flushed, and restic into a directory, followed by an fsync of the file.
 */
final class FullBackupCase {
    private final BackupRun bench;
    private final VolumeStore engine;
    private final Path dir;
    private final Volume volume;
    private final long dataBytes;
    private final long sourceCrc;
    private final Path exported;
    private final Path data;
    private Path strataTarget;
    private Path resticRepository;
    private String resticFormat = "?";

    FullBackupCase(BackupRun bench, VolumeStore engine, Path dir) throws IOException {
        this.bench = bench;
        this.engine = engine;
        this.dir = dir;
        long size = bench.settings.volumeSize();
        StrataBench.progress("backup A: writing the " + ByteSize.human(size) + " volume (" + ByteSize.human(size / 2)
                + " random, " + ByteSize.human(size / 4) + " text-like, " + ByteSize.human(size / 4) + " never written)");
        volume = engine.create(VolumeName.of("full-source"), size);
        BackupData.writeRandom(volume, 0, size / 2, bench.options.seed());
        BackupData.writeText(volume, size / 2, size / 4, bench.options.seed());
        volume.flush();
        volume.createSnapshot(SnapshotName.of("backup"), Map.of(), true);
        try (SnapshotReader reader = volume.openSnapshot(SnapshotName.of("backup"))) {
            sourceCrc = BackupData.crc32c(reader);
            exported = dir.resolve("volume.img");
            data = dir.resolve("data.img");
            StrataBench.progress("backup A: exporting the snapshot as one file for restic, and its data for the ceiling");
            dataBytes = BackupData.export(reader, reader.allocatedExtents(), exported);
            BackupData.exportData(reader, reader.allocatedExtents(), data);
        }
        if (BackupData.crc32c(exported) != sourceCrc) {
            throw new IllegalStateException("the exported file differs from the volume: the comparison would be meaningless");
        }
        bench.header.add(String.format(Locale.ROOT, "A volume  %s: %s random, %s text-like, %s never written (%s of data);"
                + " restic gets it as one %s file whose unwritten tail is a hole (read as zeroes)",
                ByteSize.human(size), ByteSize.human(size / 2), ByteSize.human(size / 4), ByteSize.human(size / 4),
                ByteSize.human(dataBytes), ByteSize.human(size)));
    }

    /** Case A: the full backups, Strata, restic and the ceiling in turn. */
    List<Comparison> backups() throws IOException {
        int reps = bench.options.repetitions();
        double[] strata = new double[reps];
        double[] restic = new double[reps];
        double[] ceiling = new double[reps];
        double[] lz4 = new double[reps];
        double[] sha = new double[reps];
        long[] stored = new long[2];
        for (int rep = 0; rep < reps; rep++) {
            boolean last = rep == reps - 1;
            for (int i = 0; i < 3; i++) {
                switch ((rep + i) % 3) {
                    case 0 -> {
                        StrataBench.progress("backup A " + (rep + 1) + "/" + reps + ": Strata, full " + bench.settings.compression().method() + " backup");
                        Path target = dir.resolve("strata-" + rep);
                        bench.prepare(dir, () -> readAllocated(volume, "backup"));
                        long start = System.nanoTime();
                        BackupProgress progress = bench.backup(target, volume, "backup", "full-source");
                        strata[rep] = seconds(System.nanoTime() - start);
                        bench.took(strata[rep]);
                        check(progress.bytesScanned() == dataBytes, "Strata's full backup read " + progress.bytesScanned()
                                + " bytes, not the volume's " + dataBytes + " bytes of data");
                        stored[0] = treeSize(target);
                        keepLast(last, target, t -> strataTarget = t);
                    }
                    case 1 -> {
                        StrataBench.progress("backup A " + (rep + 1) + "/" + reps + ": restic backup");
                        Path repository = dir.resolve("restic-" + rep);
                        String config = bench.tools.resticInit(repository);
                        if (rep == 0) {
                            resticFormat = config.replaceAll("(?s).*\"version\":\\s*(\\d+).*", "$1");
                        }
                        bench.prepare(dir, () -> readFile(exported));
                        restic[rep] = seconds(bench.tools.resticBackup(repository, exported));
                        bench.took(restic[rep]);
                        stored[1] = treeSize(repository);
                        keepLast(last, repository, r -> resticRepository = r);
                    }
                    default -> {
                        StrataBench.progress("backup A " + (rep + 1) + "/" + reps + ": ceiling, lz4 -1 and sha512sum at once");
                        Path out = dir.resolve("data.img.lz4");
                        bench.prepare(dir, () -> readFile(data));
                        long[] nanos = bench.tools.ceiling(data, out);
                        ceiling[rep] = seconds(nanos[0]);
                        bench.took(ceiling[rep]);
                        lz4[rep] = seconds(nanos[1]);
                        sha[rep] = seconds(nanos[2]);
                        Files.delete(out);
                    }
                }
            }
        }
        bench.header.add("restic    " + bench.tools.resticVersion() + "; repositories made by restic init with its defaults (format version "
                + resticFormat + (resticFormat.equals("2") ? ", so compression auto: zstd" : "") + "), used with --no-cache;"
                + " a process per run, timed from start to exit; restic fsyncs its pack files");
        String label = "A full " + bench.settings.compression().method() + " backup, " + ByteSize.human(bench.settings.volumeSize());
        bench.notes.add(String.format(Locale.ROOT, "A  Strata %.0f MiB/s of data (%s), stored %s; restic %.0f MiB/s of the file"
                + " (%s), repository %s", dataBytes / MIB / Report.medianOf(strata), ByteSize.human(dataBytes),
                ByteSize.human(stored[0]), bench.settings.volumeSize() / MIB / Report.medianOf(restic),
                ByteSize.human(bench.settings.volumeSize()), ByteSize.human(stored[1])));
        bench.notes.add(String.format(Locale.ROOT, "A  ceiling over the %s of data: lz4 -1 alone %.2f s, sha512sum alone %.2f s;"
                + " both started together, the row shows when the later one ended", ByteSize.human(dataBytes),
                Report.medianOf(lz4), Report.medianOf(sha)));
        return List.of(new Comparison(label, "restic backup", strata, restic, 0.5),
                new Comparison("", "ceiling: lz4 -1 | sha512sum", strata, ceiling, Double.NaN));
    }

    /** Case C: restore of the last backups of case A. */
    Comparison restores() throws IOException {
        int reps = bench.options.repetitions();
        double[] strata = new double[reps];
        double[] restic = new double[reps];
        double[] resticSync = new double[reps];
        for (int rep = 0; rep < reps; rep++) {
            for (int i = 0; i < 2; i++) {
                if ((rep + i) % 2 == 0) {
                    StrataBench.progress("restore C " + (rep + 1) + "/" + reps + ": Strata into a new volume, flushed");
                    VolumeName name = VolumeName.of("restored-" + rep);
                    Volume restored = engine.create(name, bench.settings.volumeSize());
                    DirectoryTarget target = new DirectoryTarget("file://" + strataTarget, strataTarget);
                    BackupStore store = bench.store(target);
                    bench.prepare(dir, () -> readTree(strataTarget));
                    long start = System.nanoTime();
                    store.restore("full-source", "backup-backup", new VolumeRestoreSink(restored), bench.settings.workers(),
                            new BackupProgress()); // ends with the volume's flush
                    strata[rep] = seconds(System.nanoTime() - start);
                    bench.took(strata[rep]);
                    check(BackupData.crc32c(restored) == sourceCrc, "Strata's restore differs from the source volume");
                    engine.delete(name);
                } else {
                    StrataBench.progress("restore C " + (rep + 1) + "/" + reps + ": restic restore, then fsync of the file");
                    Path target = dir.resolve("restic-restore-" + rep);
                    bench.prepare(dir, () -> readTree(resticRepository));
                    long restore = bench.tools.resticRestore(resticRepository, target);
                    Path file = target.resolve(exported.toString().substring(1));
                    long sync = bench.tools.fsync(file);
                    restic[rep] = seconds(restore + sync);
                    bench.took(restic[rep]);
                    resticSync[rep] = seconds(sync);
                    check(BackupData.crc32c(file) == sourceCrc, "restic's restore differs from the source volume");
                    StrataBench.deleteTree(target);
                }
            }
        }
        bench.notes.add(String.format(Locale.ROOT, "C  restic's row: restore %.2f s + fsync of the restored file %.2f s; Strata's:"
                + " restore with verification of every block, then Volume.flush() (data + block map)",
                Report.medianOf(restic) - Report.medianOf(resticSync), Report.medianOf(resticSync)));
        bench.notes.add("C  every restore was checked against the source volume by CRC32C of its whole content");
        return new Comparison("C restore of A, durable", "restic restore + fsync", strata, restic, 0.5);
    }

    void close() throws IOException {
        engine.delete(volume.name());
    }
}
