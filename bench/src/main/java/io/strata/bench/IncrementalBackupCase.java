package io.strata.bench;

import static io.strata.bench.BackupRun.check;
import static io.strata.bench.BackupRun.readBlocks;
import static io.strata.bench.BackupRun.seconds;

import io.strata.backupstore.BackupProgress;
import io.strata.backupstore.BackupStore;
import io.strata.backupstore.format.BackupConfig;
import io.strata.backupstore.format.BackupConfig.BlockRef;
import io.strata.backupstore.target.DirectoryTarget;
import io.strata.bench.Report.Comparison;
import io.strata.domain.ByteSize;
import io.strata.domain.SnapshotName;
import io.strata.domain.VolumeName;
import io.strata.engine.SnapshotReader;
import io.strata.engine.Volume;
import io.strata.engine.VolumeStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * Case B: a volume fully written and backed up; then, per repetition, 1% of its 2 MiB blocks change
 * and the incremental backup is timed against a full backup, to a new target, of a volume holding
 * just those blocks: the same bytes at the same offsets, so the same blocks read, hashed, compressed
 * and stored. What is left is what being incremental costs.
 */
final class IncrementalBackupCase {
    private static final int PAGE = 4096;

    private final BackupRun bench;
    private final VolumeStore engine;
    private final Path dir;
    private final Path target;
    private final long blocks;
    private final int changed;

    IncrementalBackupCase(BackupRun bench, VolumeStore engine, Path dir) {
        this.bench = bench;
        this.engine = engine;
        this.dir = dir;
        this.target = dir.resolve("strata-incremental");
        this.blocks = bench.settings.incrementalSize() / BackupRun.BLOCK;
        this.changed = (int) Math.max(1, Math.round(blocks * BackupRun.CHANGED_SHARE));
    }

    Comparison run() throws IOException {
        long size = bench.settings.incrementalSize();
        StrataBench.progress("backup B: writing all of a " + ByteSize.human(size) + " volume (random bytes)");
        Volume volume = engine.create(VolumeName.of("incremental-source"), size);
        BackupData.writeRandom(volume, 0, size, bench.options.seed() + 1);
        volume.flush();
        volume.createSnapshot(SnapshotName.of("s0"), Map.of(), true);
        StrataBench.progress("backup B: its first, full backup (untimed)");
        bench.backup(target, volume, "s0", "incremental-source");

        int reps = bench.options.repetitions();
        double[] incremental = new double[reps];
        double[] reference = new double[reps];
        long changedBytes = 0;
        for (int rep = 0; rep < reps; rep++) {
            SplittableRandom random = new SplittableRandom(bench.options.seed() * 7919 + rep);
            TreeSet<Long> chosen = new TreeSet<>();
            while (chosen.size() < changed) {
                chosen.add(random.nextLong(blocks));
            }
            changedBytes += change(volume, chosen, random);
            SnapshotName snapshot = SnapshotName.of("s" + (rep + 1));
            volume.createSnapshot(snapshot, Map.of(), true);
            VolumeName referenceName = VolumeName.of("reference-" + rep);
            Volume referenceVolume = copyBlocks(volume, snapshot, chosen, referenceName);
            Path referenceTarget = dir.resolve("strata-reference-" + rep);

            BackupProgress incrementalProgress = null;
            BackupProgress referenceProgress = null;
            for (int i = 0; i < 2; i++) {
                if ((rep + i) % 2 == 0) {
                    StrataBench.progress("backup B " + (rep + 1) + "/" + reps + ": Strata incremental, " + changed
                            + " changed blocks of " + blocks);
                    bench.prepare(dir, () -> readBlocks(volume, snapshot, chosen));
                    long start = System.nanoTime();
                    incrementalProgress = bench.backup(target, volume, snapshot.value(), "incremental-source");
                    incremental[rep] = seconds(System.nanoTime() - start);
                    bench.took(incremental[rep]);
                } else {
                    StrataBench.progress("backup B " + (rep + 1) + "/" + reps + ": Strata full backup of only those "
                            + changed + " blocks, new target");
                    bench.prepare(dir, () -> readBlocks(referenceVolume, SnapshotName.of("copy"), chosen));
                    long start = System.nanoTime();
                    referenceProgress = bench.backup(referenceTarget, referenceVolume, "copy", "reference");
                    reference[rep] = seconds(System.nanoTime() - start);
                    bench.took(reference[rep]);
                }
            }
            checkSameWork(chosen, snapshot, referenceTarget, incrementalProgress, referenceProgress);
            engine.delete(referenceName);
            StrataBench.deleteTree(referenceTarget);
        }
        engine.delete(volume.name());
        bench.header.add(String.format(Locale.ROOT, "B volume  %s, all written (random bytes) and backed up; then per repetition %d"
                + " of its %d blocks of 2 MiB (%.1f%%) change, chosen at random: one write each, of 4 KiB to 2 MiB (a"
                + " whole number of 4 KiB pages, uniform) at a random 4 KiB-aligned place inside the block; %s written"
                + " per repetition on average", ByteSize.human(size), changed, blocks, 100.0 * changed / blocks,
                ByteSize.human(changedBytes / reps)));
        bench.notes.add("B  reference: a new " + ByteSize.human(size) + " volume holding only the changed blocks (whole, at the"
                + " same offsets), fully backed up to a new target: the same " + changed + " blocks read, hashed,"
                + " compressed and stored");
        bench.notes.add("B  block checksums of the two backups checked equal, and both read exactly the changed blocks");
        return new Comparison("B incremental, " + changed + " of " + blocks + " blocks", "full backup of those blocks",
                incremental, reference, 1.5);
    }

    /** One write of 4 KiB .. 2 MiB of random bytes at a random page inside each chosen block; returns the bytes written. */
    private long change(Volume volume, TreeSet<Long> chosen, SplittableRandom random) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocateDirect((int) BackupRun.BLOCK);
        long written = 0;
        int pages = (int) (BackupRun.BLOCK / PAGE);
        for (long block : chosen) {
            int length = (1 + random.nextInt(pages)) * PAGE;
            long offset = block * BackupRun.BLOCK + (long) random.nextInt(pages - length / PAGE + 1) * PAGE;
            BackupData.fillRandom(buffer.clear().limit(length), random);
            volume.writeAt(buffer.flip(), offset);
            written += length;
        }
        volume.flush();
        return written;
    }

    /** A new volume of the same size holding only the chosen blocks of the snapshot, at the same offsets. */
    private Volume copyBlocks(Volume volume, SnapshotName snapshot, TreeSet<Long> chosen, VolumeName name) throws IOException {
        Volume copy = engine.create(name, volume.size());
        ByteBuffer buffer = ByteBuffer.allocateDirect((int) BackupRun.BLOCK);
        try (SnapshotReader reader = volume.openSnapshot(snapshot)) {
            for (long block : chosen) {
                reader.readAt(buffer.clear(), block * BackupRun.BLOCK);
                copy.writeAt(buffer.flip(), block * BackupRun.BLOCK);
            }
        }
        copy.flush();
        copy.createSnapshot(SnapshotName.of("copy"), Map.of(), true);
        return copy;
    }

    private void checkSameWork(TreeSet<Long> chosen, SnapshotName snapshot, Path referenceTarget,
                               BackupProgress incremental, BackupProgress reference) throws IOException {
        long expected = chosen.size() * BackupRun.BLOCK;
        check(incremental.bytesScanned() == expected && reference.bytesScanned() == expected, "the incremental backup read "
                + incremental.bytesScanned() + " bytes and the reference " + reference.bytesScanned() + ", not the "
                + expected + " of the changed blocks: the two rows would not do the same work");
        check(incremental.blocksNew() == chosen.size() && reference.blocksNew() == chosen.size(),
                "the two backups stored " + incremental.blocksNew() + " and " + reference.blocksNew() + " new blocks, not "
                + chosen.size());
        Map<Long, String> ours = blockMap(target, "incremental-source", snapshot.value());
        Map<Long, String> theirs = blockMap(referenceTarget, "reference", "copy");
        check(theirs.size() == chosen.size(), "the reference backup holds " + theirs.size() + " blocks, not " + chosen.size());
        for (long block : chosen) {
            String checksum = theirs.get(block * BackupRun.BLOCK);
            check(checksum != null && checksum.equals(ours.get(block * BackupRun.BLOCK)), "block " + block
                    + " differs between the incremental backup and the reference");
        }
        check(ours.size() == blocks, "the incremental backup maps " + ours.size() + " blocks, not all " + blocks);
    }

    private Map<Long, String> blockMap(Path dir, String volume, String snapshot) throws IOException {
        DirectoryTarget t = new DirectoryTarget("file://" + dir, dir);
        BackupStore store = bench.store(t);
        BackupConfig cfg = store.backupConfig(volume, "backup-" + snapshot).orElseThrow();
        Map<Long, String> out = new HashMap<>();
        for (BlockRef ref : cfg.blocks()) {
            out.put(ref.offset(), ref.checksum());
        }
        return out;
    }
}
