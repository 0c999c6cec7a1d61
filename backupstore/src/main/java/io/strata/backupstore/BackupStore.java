package io.strata.backupstore;

import io.strata.backupstore.format.BackupConfig;
import io.strata.backupstore.format.BlockChecksum;
import io.strata.backupstore.format.Compression;
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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Backups of volumes in one backup target, in Longhorn's format: incremental against the volume's
 * last backup, block by block, each block stored once per backup volume under its checksum; and
 * restores that verify every block.
 *
 * <p>The entry point: it takes each operation's lock and tracks its progress, and restores itself;
 * making a backup is {@link BackupCreation}'s, deleting {@link BackupDeletion}'s, reading the store
 * {@link BackupCatalog}'s.
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
    private final BackupCatalog catalog;
    private final BackupCreation creation;
    private final BackupDeletion deletion;

    public BackupStore(BackupTarget target, Locks locks, Clock clock) {
        this.target = target;
        this.locks = locks;
        this.catalog = new BackupCatalog(target, clock, locks.expiry());
        this.creation = new BackupCreation(target, clock, catalog, new BackupCommit(target, catalog));
        this.deletion = new BackupDeletion(target, locks, catalog, clock);
    }

    public BackupCatalog catalog() {
        return catalog;
    }

    /** See {@link BackupCreation}: makes a backup under its volume's backup lock. */
    public BackupConfig backup(BackupRequest request, BackupProgress progress) throws IOException {
        return tracked(progress, () -> {
            // cancellable: the lock first waits for rivals (2 s, or a minute if so configured), which a cancel cuts short
            try (BackupLock held = progress.cancellable(() -> locks.lock(request.volume(), BackupLock.Type.BACKUP))) {
                return creation.create(request, held, progress);
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

    /**
     * Restores a backup into {@code sink}, verifying every block's checksum; blocks that read as
     * zeroes are not written, nor are the all-zero 4 KiB pages of the others. A missing or corrupt block fails the restore, naming the block.
     */
    @SuppressWarnings("try") // the lock is held for the try's duration, not used in it
    public void restore(String volume, String backup, RestoreSink sink, int workers, BackupProgress progress) throws IOException {
        tracked(progress, () -> {
            try (BackupLock held = progress.cancellable(() -> locks.lock(volume, BackupLock.Type.RESTORE))) {
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
}
