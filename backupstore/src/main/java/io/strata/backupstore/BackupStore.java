package io.strata.backupstore;

import io.strata.backupstore.format.BackupConfig;
import io.strata.backupstore.format.BackupConfig.BlockRef;
import io.strata.backupstore.format.BlockChecksum;
import io.strata.backupstore.format.Compression;
import io.strata.backupstore.format.ConfigCodec;
import io.strata.backupstore.format.StoreLayout;
import io.strata.backupstore.format.StoreLimits;
import io.strata.backupstore.format.VolumeConfig;
import io.strata.backupstore.lock.BackupLock;
import io.strata.backupstore.target.BackupTarget;
import io.strata.domain.StrataException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Backups of volumes in one backup target, in Longhorn's format: incremental against the volume's
 * last backup, block by block, each block stored once per backup volume under its checksum; and
 * restores that verify every block.
 */
public final class BackupStore {
    /** Strata's own parameter: the snapshot's size, which Longhorn's cfg does not keep per backup. */
    public static final String VOLUME_SIZE_PARAMETER = "strata-volume-size";

    /** Strata's own parameter of an in-progress cfg: the lock its backup holds, so a failed backup's cfg can be told apart. */
    public static final String LOCK_PARAMETER = "strata-lock";

    /** Takes a backupstore lock of one volume, by Longhorn's protocol ({@link BackupLock#acquire}). */
    public interface Locks {
        BackupLock lock(String volume, BackupLock.Type type) throws IOException;

        /** The production locks: {@link BackupLock#SETTLE} before looking for rivals, the system clock. */
        static Locks on(BackupTarget target, ScheduledExecutorService scheduler) {
            return (volume, type) -> BackupLock.acquire(target, volume, type, Clock.systemUTC(), BackupLock.SETTLE, scheduler);
        }
    }

    private interface Work<T> {
        T run() throws IOException;
    }

    /**
     * A backup to make.
     *
     * @param name        the backup's name; empty: {@code backup-} and 16 hex characters
     * @param full        re-read every block and re-upload those already stored
     * @param compression for a new backup volume; an existing one keeps its own
     * @param blockSize   for a new backup volume (2 or 16 MiB); an existing one keeps its own
     */
    public record BackupRequest(String volume, Optional<String> name, BackupSource source, boolean full,
                                Compression compression, long blockSize, Map<String, String> labels, int workers) {}

    private final BackupTarget target;
    private final Locks locks;
    private final Clock clock;
    private final BackupCatalog catalog;
    private final BackupDeletion deletion;

    public BackupStore(BackupTarget target, Locks locks, Clock clock) {
        this.target = target;
        this.locks = locks;
        this.clock = clock;
        this.catalog = new BackupCatalog(target, clock);
        this.deletion = new BackupDeletion(target, locks, catalog);
    }

    public BackupCatalog catalog() {
        return catalog;
    }

    public BackupConfig backup(BackupRequest request, BackupProgress progress) throws IOException {
        return tracked(progress, () -> {
            try (BackupLock held = locks.lock(request.volume(), BackupLock.Type.BACKUP)) {
                return runBackup(request, held, progress);
            }
        });
    }

    /** Runs {@code work}, then marks {@code progress} complete, or failed with the error it threw. */
    private static <T> T tracked(BackupProgress progress, Work<T> work) throws IOException {
        try {
            T result = work.run();
            progress.complete();
            return result;
        } catch (IOException | RuntimeException e) {
            progress.fail(e);
            throw e;
        }
    }

    private BackupConfig runBackup(BackupRequest r, BackupLock held, BackupProgress progress) throws IOException {
        String volume = r.volume();
        String name = r.name().orElseGet(() -> "backup-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong()));
        String cfgKey = StoreLayout.backupConfig(volume, name);
        Optional<BackupConfig> existing = backupConfig(volume, name);
        if (existing.isPresent()) {
            if (!existing.get().inProgress()) {
                throw new StrataException.AlreadyExists("backup '" + name + "' of volume '" + volume + "' already exists");
            }
            if (!catalog.isAbandoned(existing.get())) {
                throw new StrataException.Unavailable("backup '" + name + "' of volume '" + volume
                        + "' is being written by another process, or one that stopped less than 150 s ago; retry later");
            }
            // an earlier attempt at this backup failed or died: this one starts it again
        }
        String started = now();
        VolumeConfig volumeCfg = volumeConfig(volume).orElse(null);
        if (volumeCfg == null) {
            volumeCfg = new VolumeConfig(volume, r.source().size(), r.labels(), started, "", "", 0, "", "",
                    r.compression().method(), "", "v1");
            target.write(StoreLayout.volumeConfig(volume), ConfigCodec.encode(volumeCfg));
        }
        Compression compression = volumeCfg.compression();
        BackupConfig base = incrementalBase(r, volumeCfg).orElse(null);
        long blockSize = base != null ? base.blockSize() : r.blockSize();
        if (blockSize != 2L << 20 && blockSize != 16L << 20) {
            throw new StrataException.InvalidArgument("backup block size " + blockSize + " is not 2 MiB or 16 MiB");
        }

        TreeSet<Long> blocks = new TreeSet<>();
        for (long[] range : r.source().changedRanges(Optional.ofNullable(base).map(BackupConfig::snapshotName))) {
            for (long b = range[0] / blockSize; b * blockSize < range[0] + range[1] && b * blockSize < r.source().size(); b++) {
                blocks.add(b);
            }
        }
        progress.bytesToScan.set(blocks.size() * blockSize);
        target.write(cfgKey, ConfigCodec.encode(new BackupConfig(name, volume, "", "", "", 0, null,
                Map.of(LOCK_PARAMETER, held.name()), false, compression.method(), 0, 0, null, null)));

        Map<Long, String> results = new ConcurrentHashMap<>();
        Map<String, Boolean> uploaded = new ConcurrentHashMap<>();
        long[] reUploaded = {0};
        ThreadLocal<byte[]> buffers = ThreadLocal.withInitial(() -> new byte[(int) blockSize]);
        try {
            // block writes go to separate objects and mostly wait (sync, upload): twice as many writers as workers
            BlockPipeline.run(blocks, r.workers(), 2 * r.workers(), block -> {
                progress.checkNotCancelled();
                byte[] data = buffers.get();
                long offset = block * blockSize;
                int length = (int) Math.min(blockSize, r.source().size() - offset);
                Arrays.fill(data, length, data.length, (byte) 0); // a last, short block is padded
                r.source().read(ByteBuffer.wrap(data, 0, length), offset);
                progress.bytesScanned.addAndGet(blockSize);
                if (DataRuns.isZero(data, data.length)) {
                    results.put(block, ""); // reads as zeroes: no block needed
                    return null;
                }
                String checksum = BlockChecksum.of(data);
                results.put(block, checksum);
                if (uploaded.putIfAbsent(checksum, Boolean.TRUE) != null) {
                    progress.blocksReused.incrementAndGet();
                    return null;
                }
                String key = StoreLayout.block(volume, checksum);
                boolean stored = progress.cancellable(() -> target.modified(key)).isPresent();
                if (stored && !r.full()) {
                    progress.blocksReused.incrementAndGet();
                    return null;
                }
                byte[] compressed = compression.compress(data);
                return () -> { // on a writer: this worker goes on with the next block meanwhile
                    progress.cancellable(() -> {
                        target.write(key, compressed);
                        return null;
                    });
                    progress.bytesUploaded.addAndGet(compressed.length);
                    if (stored) {
                        synchronized (reUploaded) {
                            reUploaded[0] += compressed.length;
                        }
                        progress.blocksReused.incrementAndGet();
                    } else {
                        progress.blocksNew.incrementAndGet();
                    }
                };
            });
        } catch (IOException | RuntimeException e) {
            try {
                target.delete(cfgKey); // an in-progress cfg left behind would hold off garbage collection
            } catch (IOException | RuntimeException cleanup) {
                e.addSuppressed(cleanup); // the next deletion clears it as abandoned; report what failed first
            }
            throw e;
        }

        TreeMap<Long, String> map = new TreeMap<>();
        if (base != null) {
            base.blocks().forEach(b -> map.put(b.offset(), b.checksum()));
        }
        results.forEach((block, checksum) -> {
            if (checksum.isEmpty()) {
                map.remove(block * blockSize);
            } else {
                map.put(block * blockSize, checksum);
            }
        });
        map.tailMap(r.source().size()).clear(); // blocks beyond the snapshot's size are not in it
        List<BlockRef> refs = new ArrayList<>();
        map.forEach((offset, checksum) -> refs.add(new BlockRef(offset, checksum)));

        String snapshotCreated = r.source().snapshotCreated().map(BackupStore::seconds).orElse(started);
        BackupConfig done = new BackupConfig(name, volume, r.source().snapshotName(), snapshotCreated, now(),
                refs.size() * blockSize, r.labels(), Map.of(BackupConfig.MODE_PARAMETER, r.full() ? "full" : "incremental",
                BackupConfig.BLOCK_SIZE_PARAMETER, Long.toString(blockSize), VOLUME_SIZE_PARAMETER, Long.toString(r.source().size())),
                base != null, compression.method(), progress.bytesUploaded() - reUploaded[0], reUploaded[0], refs, "");
        progress.checkNotCancelled(); // late, but still before the backup looks complete
        held.checkHeld(); // a deletion that took the volume meanwhile may have collected blocks this cfg names
        target.write(cfgKey, ConfigCodec.encode(done));
        // The backup is complete from here on. volume.cfg only points the next backup at its base:
        // if it cannot be updated now, the next backup or deletion rewrites it.
        try {
            VolumeConfig latest = volumeConfig(volume).orElse(volumeCfg);
            target.write(StoreLayout.volumeConfig(volume), ConfigCodec.encode(new VolumeConfig(volume, r.source().size(),
                    r.labels(), latest.createdTime(), name, started, latest.blockCount() + progress.blocksNew(),
                    latest.backingImageName(), latest.backingImageChecksum(), latest.compressionMethod(),
                    latest.storageClassName(), latest.dataEngine())));
        } catch (IOException | StrataException e) {
            progress.warn("backup '" + name + "' is complete, but volume.cfg could not be updated (" + e.getMessage()
                    + "); the next backup of '" + volume + "' may be a full one");
        }
        return done;
    }

    /** The last backup, when it can serve as the base: readable, complete, and its snapshot still here. */
    private Optional<BackupConfig> incrementalBase(BackupRequest r, VolumeConfig volumeCfg) {
        if (r.full() || volumeCfg.lastBackupName().isEmpty()) {
            return Optional.empty();
        }
        try {
            return backupConfig(r.volume(), volumeCfg.lastBackupName())
                    .filter(b -> !b.inProgress())
                    .filter(b -> !b.snapshotName().isEmpty() && !b.snapshotName().equals(r.source().snapshotName()))
                    .filter(b -> r.source().hasSnapshot(b.snapshotName()));
        } catch (IOException | StrataException e) {
            return Optional.empty(); // an unreadable base: back up everything
        }
    }

    /**
     * Restores a backup into {@code sink}, verifying every block's checksum; blocks that read as
     * zeroes are not written, nor are the all-zero 4 KiB pages of the others. A missing or corrupt block fails the restore, naming the block.
     */
    @SuppressWarnings("try") // the lock is held for the try's duration, not used in it
    public void restore(String volume, String backup, RestoreSink sink, int workers, BackupProgress progress) throws IOException {
        tracked(progress, () -> {
            try (BackupLock held = locks.lock(volume, BackupLock.Type.RESTORE)) {
                runRestore(volume, backup, sink, workers, progress);
            }
            return null;
        });
    }

    private void runRestore(String volume, String backup, RestoreSink sink, int workers, BackupProgress progress) throws IOException {
        BackupConfig cfg = backupConfig(volume, backup).orElseThrow(() -> new StrataException.NotFound(
                "backup '" + backup + "' of volume '" + volume + "' does not exist"));
        if (cfg.inProgress()) {
            throw new StrataException.FailedPrecondition("backup '" + backup + "' of volume '" + volume
                    + "' is still in progress: restore it once it is complete");
        }
        long size = volumeSize(cfg);
        if (sink.size() < size) {
            throw new StrataException.OutOfRange("backup '" + backup + "' holds " + size + " bytes; the target volume has only "
                    + sink.size() + ": give it at least " + size + " bytes");
        }
        long blockSize = cfg.blockSize();
        Compression compression = Compression.fromMethod(cfg.compressionMethod());
        Map<Long, String> byOffset = new TreeMap<>();
        cfg.blocks().forEach(b -> byOffset.put(b.offset(), b.checksum()));
        progress.bytesToScan.set(byOffset.size() * blockSize);
        ThreadLocal<byte[]> buffers = ThreadLocal.withInitial(() -> new byte[(int) blockSize]);
        // the writer's buffers are direct, so the kernel copies from them without the JDK copying first (on the
        // one writer, the restore's narrowest stage); each goes back here once written: no more than blocks in flight
        Queue<ByteBuffer> direct = new ConcurrentLinkedQueue<>();
        BackgroundFlush flusher = new BackgroundFlush(sink, BackgroundFlush.RESTORE_INTERVAL);
        // one writer: a volume takes its writes one at a time
        BlockPipeline.run(byOffset.keySet(), workers, 1, offset -> {
            progress.checkNotCancelled();
            String checksum = byOffset.get(offset);
            String key = StoreLayout.block(volume, checksum);
            // bounded, so that a block that is huge or endless is refused; cancellable, so that one that never comes is not waited for
            byte[] stored = progress.cancellable(() -> target.read(key, StoreLimits.block(blockSize)))
                    .orElseThrow(() -> new StrataException.Corrupt("block " + checksum
                    + " at offset " + offset + " of backup '" + backup + "' is missing from the backup target"));
            byte[] data = buffers.get();
            int decompressed;
            try {
                decompressed = compression.decompress(stored, data);
            } catch (StrataException.Corrupt e) {
                throw new StrataException.Corrupt("block " + checksum + " at offset " + offset + " of backup '" + backup
                        + "' is damaged: " + e.getMessage(), e);
            }
            if (!BlockChecksum.of(data, 0, decompressed).equals(checksum)) {
                throw new StrataException.Corrupt("block " + checksum + " at offset " + offset + " of backup '" + backup
                        + "' does not match its checksum: the stored copy is damaged");
            }
            int length = (int) Math.min(decompressed, sink.size() - offset);
            // only the pages that hold data: the sink starts as zeroes, so the rest stays holes, as it was in the source
            int[] runs = length <= 0 ? new int[0] : DataRuns.of(data, length);
            if (runs.length == 0) {
                progress.bytesScanned.addAndGet(blockSize);
                return null;
            }
            ByteBuffer spare = direct.poll();
            ByteBuffer out = (spare != null ? spare : ByteBuffer.allocateDirect((int) blockSize)).clear();
            out.put(data, 0, length).flip();
            return () -> { // on the writer: the workers go on with the next blocks meanwhile
                long written = 0;
                for (int i = 0; i < runs.length; i += 2) {
                    sink.write(out.slice(runs[i], runs[i + 1] - runs[i]), offset + runs[i]);
                    written += runs[i + 1] - runs[i];
                }
                direct.add(out);
                progress.bytesScanned.addAndGet(blockSize);
                flusher.wrote(written); // the disk takes the data in behind the restore, not all in the last flush
            };
        });
        flusher.finish();
        sink.flush();
    }

    /** See {@link BackupDeletion}: deletes a backup and collects unreferenced blocks when that is safe. */
    public long delete(String volume, String backup) throws IOException {
        return deletion.delete(volume, backup);
    }

    public void deleteVolume(String volume) throws IOException {
        deletion.deleteVolume(volume);
    }

    public List<String> verify(String volume, String backup, int workers) throws IOException {
        return catalog.verify(volume, backup, workers);
    }

    public List<String> backups(String volume) throws IOException {
        return catalog.backups(volume);
    }

    public TreeSet<String> blocks(String volume) throws IOException {
        return catalog.blocks(volume);
    }

    public long volumeSize(BackupConfig cfg) throws IOException {
        return catalog.volumeSize(cfg);
    }

    public Optional<VolumeConfig> volumeConfig(String volume) throws IOException {
        return catalog.volumeConfig(volume);
    }

    public Optional<BackupConfig> backupConfig(String volume, String backup) throws IOException {
        return catalog.backupConfig(volume, backup);
    }

    private String now() {
        return seconds(clock.instant());
    }

    /** Longhorn's time format: RFC 3339 in UTC, whole seconds. */
    private static String seconds(java.time.Instant instant) {
        return instant.truncatedTo(ChronoUnit.SECONDS).toString();
    }


}
