package io.strata.backupstore;

import io.strata.backupstore.BackupStore.BackupRequest;
import io.strata.backupstore.format.BackupConfig;
import io.strata.backupstore.format.BackupConfig.BlockRef;
import io.strata.backupstore.format.BlockChecksum;
import io.strata.backupstore.format.Compression;
import io.strata.backupstore.format.ConfigCodec;
import io.strata.backupstore.format.StoreLayout;
import io.strata.backupstore.format.VolumeConfig;
import io.strata.backupstore.lock.BackupLock;
import io.strata.backupstore.target.BackupTarget;
import io.strata.domain.StrataException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Making one backup under its lock: choosing the incremental base and the block size, reading the
 * changed blocks and uploading those the pool lacks, then handing the complete cfg to
 * {@link BackupCommit} and pointing volume.cfg at it for the next backup.
 */
final class BackupCreation {
    private final BackupTarget target;
    private final Clock clock;
    private final BackupCatalog catalog;
    private final BackupCommit commits;

    BackupCreation(BackupTarget target, Clock clock, BackupCatalog catalog, BackupCommit commits) {
        this.target = target;
        this.clock = clock;
        this.catalog = catalog;
        this.commits = commits;
    }

    /** Makes the backup {@code r} asks for; {@code held} is its volume's backup lock, held by the caller throughout. */
    BackupConfig create(BackupRequest r, BackupLock held, BackupProgress progress) throws IOException {
        String volume = r.volume();
        String name = r.name().orElseGet(() -> "backup-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong()));
        String cfgKey = StoreLayout.backupConfig(volume, name);
        Optional<BackupConfig> existing = catalog.backupConfig(volume, name);
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
        VolumeConfig volumeCfg = catalog.volumeConfig(volume).orElse(null);
        BackupConfig base = volumeCfg == null ? null : incrementalBase(r, volumeCfg).orElse(null);
        long blockSize = blockSize(r, volumeCfg, base);
        if (volumeCfg == null) {
            volumeCfg = new VolumeConfig(volume, VolumeConfig.roundUp(r.source().size(), blockSize), r.labels(), started, "", "", 0,
                    "", "", r.compression().method(), "", "v1");
            target.write(StoreLayout.volumeConfig(volume), ConfigCodec.encode(volumeCfg));
        }
        Compression compression = volumeCfg.compression();

        TreeSet<Long> blocks = changedBlocks(r, base, blockSize);
        progress.bytesToScan.set(blocks.size() * blockSize);
        target.write(cfgKey, ConfigCodec.encode(new BackupConfig(name, volume, "", "", "", 0, null,
                Map.of(BackupStore.LOCK_PARAMETER, held.name()), false, compression.method(), 0, 0, null, null)));

        Map<Long, String> results = new ConcurrentHashMap<>();
        long reUploaded;
        try {
            reUploaded = upload(r, blocks, blockSize, compression, held, progress, results);
        } catch (IOException e) {
            throw commits.abandon(cfgKey, held, e);
        } catch (RuntimeException e) {
            throw commits.abandon(cfgKey, held, e);
        }

        List<BlockRef> refs = blockMap(r, base, blockSize, results);
        String snapshotCreated = r.source().snapshotCreated().map(BackupCreation::seconds).orElse(started);
        BackupConfig done = new BackupConfig(name, volume, r.source().snapshotName(), snapshotCreated, now(),
                refs.size() * blockSize, r.labels(), Map.of(BackupConfig.MODE_PARAMETER, r.full() ? "full" : "incremental",
                BackupConfig.BLOCK_SIZE_PARAMETER, Long.toString(blockSize), BackupStore.VOLUME_SIZE_PARAMETER,
                Long.toString(r.source().size())),
                base != null, compression.method(), progress.bytesUploaded() - reUploaded, reUploaded, refs, "");
        try {
            progress.checkNotCancelled(); // late, but still before the backup looks complete
        } catch (RuntimeException e) {
            throw commits.abandon(cfgKey, held, e);
        }
        commits.commit(cfgKey, done, held, r.workers());
        // The backup is complete from here on. volume.cfg only points the next backup at its base:
        // if it cannot be updated now, the next backup or deletion rewrites it.
        try {
            VolumeConfig latest = catalog.volumeConfig(volume).orElse(volumeCfg);
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

    /** The indexes of the blocks that changed since {@code base}'s snapshot (all that hold data without a base). */
    private static TreeSet<Long> changedBlocks(BackupRequest r, BackupConfig base, long blockSize) throws IOException {
        TreeSet<Long> blocks = new TreeSet<>();
        for (long[] range : r.source().changedRanges(Optional.ofNullable(base).map(BackupConfig::snapshotName))) {
            for (long b = range[0] / blockSize; b * blockSize < range[0] + range[1] && b * blockSize < r.source().size(); b++) {
                blocks.add(b);
            }
        }
        return blocks;
    }

    /**
     * Reads {@code blocks}, puts each one's checksum (empty: reads as zeroes) into {@code results},
     * and uploads those the pool lacks (all of them for a full backup).
     *
     * @return the bytes uploaded again although already stored
     */
    private long upload(BackupRequest r, TreeSet<Long> blocks, long blockSize, Compression compression, BackupLock held,
                        BackupProgress progress, Map<Long, String> results) throws IOException {
        Map<String, Boolean> uploaded = new ConcurrentHashMap<>();
        long[] reUploaded = {0};
        ThreadLocal<byte[]> buffers = ThreadLocal.withInitial(() -> new byte[(int) blockSize]);
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
            String key = StoreLayout.block(r.volume(), checksum);
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
        synchronized (reUploaded) {
            return reUploaded[0];
        }
    }

    /** The backup's block map: its base's, with the blocks read now laid over it, cut at the snapshot's size. */
    private static List<BlockRef> blockMap(BackupRequest r, BackupConfig base, long blockSize, Map<Long, String> results) {
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
        return refs;
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
            return catalog.backupConfig(r.volume(), volumeCfg.lastBackupName())
                    .filter(b -> !b.inProgress())
                    .filter(b -> !b.snapshotName().isEmpty() && !b.snapshotName().equals(r.source().snapshotName()))
                    .filter(b -> r.source().hasSnapshot(b.snapshotName()));
        } catch (IOException | StrataException e) {
            return Optional.empty(); // an unreadable base: back up everything
        }
    }

    private String now() {
        return seconds(clock.instant());
    }

    /** Longhorn's time format: RFC 3339 in UTC, whole seconds. */
    private static String seconds(Instant instant) {
        return instant.truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
