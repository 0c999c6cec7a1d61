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
import io.strata.backupstore.lock.LockJournal;
import io.strata.backupstore.lock.LockTiming;
import io.strata.backupstore.target.BackupTarget;
import io.strata.domain.StrataException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
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
    public static final String VOLUME_SIZE_PARAMETER = BackupConfig.VOLUME_SIZE_PARAMETER;

    /** Strata's own parameter of an in-progress cfg: the lock its backup holds, so a failed backup's cfg can be told apart. */
    public static final String LOCK_PARAMETER = BackupConfig.LOCK_PARAMETER;

    /** Takes a backupstore lock of one volume, by Longhorn's protocol ({@link BackupLock#acquire}). */
    public interface Locks {
        BackupLock lock(String volume, BackupLock.Type type) throws IOException;

        /** When these locks, and so the rivals' ones, count as expired: Longhorn's 150 s unless a test shrinks it. */
        default Duration expiry() {
            return BackupLock.EXPIRY;
        }

        /** The production locks: {@link BackupLock#SETTLE} before looking for rivals, the system clock. */
        static Locks on(BackupTarget target, ScheduledExecutorService scheduler) {
            return of(target, LockTiming.longhorn(Clock.systemUTC(), BackupLock.SETTLE), LockJournal.NONE, scheduler);
        }

        /** Locks on {@code target} with the given timing, each noted in {@code journal} while held. */
        static Locks of(BackupTarget target, LockTiming timing, LockJournal journal, ScheduledExecutorService scheduler) {
            return new Locks() {
                @Override
                public BackupLock lock(String volume, BackupLock.Type type) throws IOException {
                    return BackupLock.acquire(target, volume, type, timing, journal, scheduler);
                }

                @Override
                public Duration expiry() {
                    return timing.expiry();
                }
            };
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
     * @param blockSize   2 or 16 MiB, or 0 for the backup volume's own (2 MiB for a new one): a backup volume's
     *                    block size never changes, so a different one for a volume that has backups is refused
     */
    public record BackupRequest(String volume, Optional<String> name, BackupSource source, boolean full,
                                Compression compression, long blockSize, Map<String, String> labels, int workers) {}

    private final BackupTarget target;
    private final Locks locks;
    private final Clock clock;
    private final BackupCatalog catalog;
    private final BackupDeletion deletion;
    private final BackupCommit commits;

    public BackupStore(BackupTarget target, Locks locks, Clock clock) {
        this.target = target;
        this.locks = locks;
        this.clock = clock;
        this.catalog = new BackupCatalog(target, clock, locks.expiry());
        this.deletion = new BackupDeletion(target, locks, catalog, clock);
        this.commits = new BackupCommit(target, catalog);
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
        if (r.blockSize() != 0 && !BackupConfig.isValidBlockSize(r.blockSize())) {
            throw new StrataException.InvalidArgument("backup block size " + r.blockSize() + " is not 2 MiB or 16 MiB: use 2Mi or 16Mi");
        }
        VolumeConfig volumeCfg = volumeConfig(volume).orElse(null);
        BackupConfig base = volumeCfg == null ? null : incrementalBase(r, volumeCfg).orElse(null);
        long blockSize = blockSize(r, volumeCfg, base);
        if (volumeCfg == null) {
            volumeCfg = new VolumeConfig(volume, VolumeConfig.roundUp(r.source().size(), blockSize), r.labels(), started, "", "", 0,
                    "", "", r.compression().method(), "", "v1");
            target.write(StoreLayout.volumeConfig(volume), ConfigCodec.encode(volumeCfg));
        }
        Compression compression = volumeCfg.compression();

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
                held.checkHeld(); // a lock lost to a stall: stop now, this backup cannot commit
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
        } catch (IOException e) {
            throw commits.abandon(cfgKey, held, e);
        } catch (RuntimeException e) {
            throw commits.abandon(cfgKey, held, e);
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
        try {
            progress.checkNotCancelled(); // late, but still before the backup looks complete
        } catch (RuntimeException e) {
            throw commits.abandon(cfgKey, held, e);
        }
        commits.commit(cfgKey, done, held, r.workers());
        // The backup is complete from here on. volume.cfg only points the next backup at its base:
        // if it cannot be updated now, the next backup or deletion rewrites it.
        try {
            VolumeConfig latest = volumeConfig(volume).orElse(volumeCfg);
            // Longhorn takes only whole blocks as a volume's size; the exact size is this backup's VOLUME_SIZE_PARAMETER
            target.write(StoreLayout.volumeConfig(volume), ConfigCodec.encode(new VolumeConfig(volume,
                    VolumeConfig.roundUp(r.source().size(), blockSize),
                    r.labels(), latest.createdTime(), name, started, latest.blockCount() + progress.blocksNew(),
                    latest.backingImageName(), latest.backingImageChecksum(), latest.compressionMethod(),
                    latest.storageClassName(), latest.dataEngine())));
        } catch (IOException | StrataException e) {
            progress.warn("backup '" + name + "' is complete, but volume.cfg could not be updated (" + e.getMessage()
                    + "); the next backup of '" + volume + "' may be a full one");
        }
        return done;
    }

    /**
     * The block size of this backup: its base's, else the one the volume's backups already use (Longhorn
     * cannot restore a backup whose map mixes block sizes, and its next incremental merges this map), else
     * the request's, else 2 MiB.
     */
    private long blockSize(BackupRequest r, VolumeConfig volumeCfg, BackupConfig base) throws IOException {
        Optional<Long> existing = base != null ? Optional.of(base.blockSize())
                : volumeCfg == null ? Optional.empty() : catalog.blockSize(r.volume(), volumeCfg);
        if (existing.isPresent()) {
            if (r.blockSize() != 0 && r.blockSize() != existing.get()) {
                throw new StrataException.FailedPrecondition("backup volume '" + r.volume() + "' stores blocks of "
                        + (existing.get() >> 20) + " MiB, and a backup volume's block size cannot change: back up with "
                        + (existing.get() >> 20) + "Mi, or without a block size");
            }
            return existing.get();
        }
        return r.blockSize() == 0 ? BackupConfig.DEFAULT_BLOCK_SIZE : r.blockSize();
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
        if (!cfg.singleFilePath().isEmpty()) {
            throw new StrataException.FailedPrecondition("backup '" + backup + "' of volume '" + volume
                    + "' is a single-file backup, which Strata cannot restore: restore it with Longhorn");
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
            if (decompressed != blockSize) { // Longhorn's blocks are whole, the last one of a volume too
                throw new StrataException.Corrupt("block " + checksum + " at offset " + offset + " of backup '" + backup
                        + "' decompresses to " + decompressed + " bytes, not the block size " + blockSize + ": the stored copy is damaged");
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
