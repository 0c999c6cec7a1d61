package io.strata.backupstore;

import io.strata.backupstore.format.BackupConfig;
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
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/** What a backup target holds, read as it is: backup volumes' and backups' cfgs, block pools, and their verification. */
public final class BackupCatalog {
    private final BackupTarget target;
    private final Clock clock;
    private final Duration lockExpiry;

    public BackupCatalog(BackupTarget target, Clock clock) {
        this(target, clock, BackupLock.EXPIRY);
    }

    /** @param lockExpiry when a lock counts as expired ({@link BackupLock#EXPIRY}, Longhorn's; shorter only in tests) */
    public BackupCatalog(BackupTarget target, Clock clock, Duration lockExpiry) {
        this.target = target;
        this.clock = clock;
        this.lockExpiry = lockExpiry;
    }

    /**
     * Whether an in-progress backup was abandoned: Strata wrote it under a lock that is gone or
     * expired, so the process making it failed or died. A cfg in progress without Strata's lock
     * parameter (Longhorn's own) is never called abandoned: its maker may still be at work.
     */
    public boolean isAbandoned(BackupConfig cfg) throws IOException {
        String lock = cfg.parameters().get(BackupStore.LOCK_PARAMETER);
        return cfg.inProgress() && lock != null && !BackupLock.isLive(target, cfg.volumeName(), lock, clock, lockExpiry);
    }

    /**
     * The names of every backup volume in the store, sorted: the directories two hash levels below
     * {@code backupstore/volumes} whose name is a valid volume name and hashes to where it lies.
     */
    public List<String> volumes() throws IOException {
        List<String> out = new ArrayList<>();
        for (String a : target.list(StoreLayout.VOLUMES)) {
            for (String b : target.list(StoreLayout.VOLUMES + "/" + a)) {
                for (String name : target.list(StoreLayout.VOLUMES + "/" + a + "/" + b)) {
                    if (StoreLayout.isValidName(name) && StoreLayout.volumeDirectory(name).equals(StoreLayout.VOLUMES + "/" + a + "/" + b + "/" + name)) {
                        out.add(name);
                    }
                }
            }
        }
        out.sort(null);
        return out;
    }

    /** The names of a volume's backups, complete or not. */
    public List<String> backups(String volume) throws IOException {
        List<String> names = new ArrayList<>();
        for (String file : target.list(StoreLayout.backupsDirectory(volume))) {
            StoreLayout.backupNameOf(file).ifPresent(names::add);
        }
        return names;
    }

    /** The checksums of every block in a volume's pool. */
    public TreeSet<String> blocks(String volume) throws IOException {
        TreeSet<String> out = new TreeSet<>();
        String root = StoreLayout.blocksDirectory(volume);
        for (String a : target.list(root)) {
            for (String b : target.list(root + "/" + a)) {
                for (String file : target.list(root + "/" + a + "/" + b)) {
                    StoreLayout.checksumOf(file).ifPresent(out::add);
                }
            }
        }
        return out;
    }

    /**
     * Which of {@code checksums} have no block in the volume's pool. Cheap for a backup's block
     * list: one listing per distinct {@code blocks/<c0:2>/<c2:4>} directory (never more listings
     * than blocks, and blocks sharing a directory share one), on {@code workers} threads, instead
     * of a walk of the whole pool or a request per block.
     *
     * @return the missing checksums, sorted
     */
    public TreeSet<String> missingBlocks(String volume, Collection<String> checksums, int workers) throws IOException {
        Map<String, List<String>> byDirectory = new TreeMap<>();
        for (String checksum : checksums) {
            String key = StoreLayout.block(volume, checksum);
            byDirectory.computeIfAbsent(key.substring(0, key.lastIndexOf('/')), d -> new ArrayList<>()).add(checksum);
        }
        List<String> directories = new ArrayList<>(byDirectory.keySet());
        List<Long> indexes = new ArrayList<>();
        for (long i = 0; i < directories.size(); i++) {
            indexes.add(i);
        }
        Set<String> missing = ConcurrentHashMap.newKeySet();
        BlockPipeline.run(indexes, workers, i -> {
            String directory = directories.get((int) i);
            Set<String> present = new HashSet<>(target.list(directory));
            for (String checksum : byDirectory.get(directory)) {
                if (!present.contains(checksum + ".blk")) {
                    missing.add(checksum);
                }
            }
        });
        return new TreeSet<>(missing);
    }

    /**
     * Checks that every block a backup references exists, decompresses and matches its checksum.
     *
     * @return one line per problem, naming the block; empty when the backup is whole
     */
    public List<String> verify(String volume, String backup, int workers) throws IOException {
        BackupConfig cfg = backupConfig(volume, backup).orElseThrow(() -> new StrataException.NotFound(
                "backup '" + backup + "' of volume '" + volume + "' does not exist"));
        if (cfg.inProgress()) {
            return List.of("backup '" + backup + "' is still in progress");
        }
        volumeSize(cfg); // a block map beyond the volume is corrupt, whatever the blocks hold
        long blockSize = cfg.blockSize();
        Compression compression = Compression.fromMethod(cfg.compressionMethod());
        Map<String, Long> firstOffset = new TreeMap<>();
        cfg.blocks().forEach(b -> firstOffset.putIfAbsent(b.checksum(), b.offset()));
        List<String> problems = java.util.Collections.synchronizedList(new ArrayList<>());
        List<String> checksums = new ArrayList<>(firstOffset.keySet());
        List<Long> indexes = new ArrayList<>();
        for (long i = 0; i < checksums.size(); i++) {
            indexes.add(i);
        }
        BlockPipeline.run(indexes, workers, i -> {
            String checksum = checksums.get((int) i);
            String where = "block " + checksum + " (first at offset " + firstOffset.get(checksum) + ")";
            Optional<byte[]> stored;
            try {
                stored = target.read(StoreLayout.block(volume, checksum), StoreLimits.block(blockSize));
            } catch (StrataException.Corrupt e) {
                problems.add(where + " cannot be read: " + e.getMessage());
                return;
            }
            if (stored.isEmpty()) {
                problems.add(where + " is missing");
                return;
            }
            try {
                byte[] data = compression.decompress(stored.get(), (int) blockSize);
                if (data.length != blockSize) {
                    problems.add(where + " decompresses to " + data.length + " bytes, not the block size " + blockSize);
                } else if (!BlockChecksum.of(data).equals(checksum)) {
                    problems.add(where + " does not match its checksum");
                }
            } catch (StrataException.Corrupt e) {
                problems.add(where + " does not decompress: " + e.getMessage());
            }
        });
        java.util.Collections.sort(problems);
        return problems;
    }

    /**
     * The block size a backup volume's backups use: its last backup's, else that of its newest complete
     * backup that reads; empty when it has none (a new backup volume may then choose).
     */
    public Optional<Long> blockSize(String volume, VolumeConfig volumeCfg) throws IOException {
        if (!volumeCfg.lastBackupName().isEmpty()) {
            try {
                Optional<BackupConfig> last = backupConfig(volume, volumeCfg.lastBackupName()).filter(b -> !b.inProgress());
                if (last.isPresent()) {
                    return Optional.of(last.get().blockSize());
                }
            } catch (StrataException e) {
                // an unreadable last backup: the others tell
            }
        }
        BackupConfig newest = null;
        for (String name : backups(volume)) {
            try {
                Optional<BackupConfig> cfg = backupConfig(volume, name).filter(b -> !b.inProgress());
                if (cfg.isPresent() && (newest == null || cfg.get().createdTime().compareTo(newest.createdTime()) > 0)) {
                    newest = cfg.get();
                }
            } catch (StrataException e) {
                // an unreadable cfg says nothing of the block size
            }
        }
        return Optional.ofNullable(newest).map(BackupConfig::blockSize);
    }

    /**
     * The snapshot's size: Strata's parameter (exact), else, for a backup made elsewhere, the volume's
     * size in {@code volume.cfg}, else the end of its last block; every block of the map lies inside it.
     *
     * @throws StrataException.Corrupt when a block lies beyond that size
     */
    public long volumeSize(BackupConfig cfg) throws IOException {
        String exact = cfg.parameters().get(BackupConfig.VOLUME_SIZE_PARAMETER);
        long size;
        if (exact != null) {
            size = Long.parseLong(exact); // checked when the cfg was read
        } else {
            long end = cfg.blocks().stream().mapToLong(b -> b.offset() + cfg.blockSize()).max().orElse(0);
            size = volumeConfig(cfg.volumeName()).map(VolumeConfig::size).filter(s -> s > 0).orElse(Math.max(end, cfg.size()));
        }
        cfg.checkFits(size, StoreLayout.backupConfig(cfg.volumeName(), cfg.name()));
        return size;
    }

    public Optional<VolumeConfig> volumeConfig(String volume) throws IOException {
        String key = StoreLayout.volumeConfig(volume);
        Optional<byte[]> data = target.read(key);
        return data.map(d -> ConfigCodec.decodeVolume(d, key));
    }

    /**
     * The cfg of backup {@code backup} of {@code volume}, if there is one.
     *
     * <p>A backup is named by where its cfg lies (its file name, in its volume's directory), as
     * Longhorn lists them; the cfg's own {@code Name} and {@code VolumeName} must agree. A cfg that
     * says it is another backup (edited, or copied from elsewhere) would have listings show, and
     * handles and URLs name, a backup other than the one read, so it is Corrupt, naming the file and
     * the field, rather than believed. A cfg larger than {@link #backupConfigBound} allows is refused
     * as Corrupt unread.
     */
    public Optional<BackupConfig> backupConfig(String volume, String backup) throws IOException {
        return backupConfig(volume, backup, backupConfigBound(volume));
    }

    /** As {@link #backupConfig(String, String)}, with the bound already known (one volume.cfg read for a whole listing). */
    public Optional<BackupConfig> backupConfig(String volume, String backup, long maxBytes) throws IOException {
        String key = StoreLayout.backupConfig(volume, backup);
        Optional<byte[]> data = target.read(key, maxBytes);
        Optional<BackupConfig> cfg = data.map(d -> ConfigCodec.decodeBackup(d, key));
        if (cfg.isPresent() && !cfg.get().name().equals(backup)) {
            throw new StrataException.Corrupt(key + ": its Name is not '" + backup + "', the backup its file is named for;"
                    + " the cfg was edited or copied from another backup, so it is not read as this one");
        }
        if (cfg.isPresent() && !cfg.get().volumeName().equals(volume)) {
            throw new StrataException.Corrupt(key + ": its VolumeName is not '" + volume + "', the backup volume it lies in;"
                    + " the cfg was edited or copied from another volume, so it is not read as a backup of this one");
        }
        return cfg;
    }

    /**
     * The most a backup cfg of {@code volume} may hold: its block map is bounded by the volume's size
     * ({@link StoreLimits#backupConfig}); without a readable volume.cfg, by the largest volume's.
     */
    public long backupConfigBound(String volume) throws IOException {
        try {
            return StoreLimits.backupConfig(volumeConfig(volume).map(VolumeConfig::size).orElse(0L));
        } catch (StrataException.Corrupt unreadable) {
            return StoreLimits.backupConfig(0);
        }
    }

}
