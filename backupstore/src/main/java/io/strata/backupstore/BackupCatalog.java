package io.strata.backupstore;

import io.strata.backupstore.format.BackupConfig;
import io.strata.backupstore.format.BlockChecksum;
import io.strata.backupstore.format.Compression;
import io.strata.backupstore.format.ConfigCodec;
import io.strata.backupstore.format.StoreLayout;
import io.strata.backupstore.format.VolumeConfig;
import io.strata.backupstore.lock.BackupLock;
import io.strata.backupstore.target.BackupTarget;
import io.strata.domain.StrataException;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/** What a backup target holds, read as it is: backup volumes' and backups' cfgs, block pools, and their verification. */
public final class BackupCatalog {
    private final BackupTarget target;
    private final Clock clock;

    public BackupCatalog(BackupTarget target, Clock clock) {
        this.target = target;
        this.clock = clock;
    }

    /**
     * Whether an in-progress backup was abandoned: Strata wrote it under a lock that is gone or
     * expired, so the process making it failed or died. A cfg in progress without Strata's lock
     * parameter (Longhorn's own) is never called abandoned: its maker may still be at work.
     */
    public boolean isAbandoned(BackupConfig cfg) throws IOException {
        String lock = cfg.parameters().get(BackupStore.LOCK_PARAMETER);
        return cfg.inProgress() && lock != null && !BackupLock.isLive(target, cfg.volumeName(), lock, clock);
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
            Optional<byte[]> stored = target.read(StoreLayout.block(volume, checksum));
            if (stored.isEmpty()) {
                problems.add(where + " is missing");
                return;
            }
            try {
                if (!BlockChecksum.of(compression.decompress(stored.get(), (int) blockSize)).equals(checksum)) {
                    problems.add(where + " does not match its checksum");
                }
            } catch (StrataException.Corrupt e) {
                problems.add(where + " does not decompress: " + e.getMessage());
            }
        });
        java.util.Collections.sort(problems);
        return problems;
    }

    /** The snapshot's size: Strata's parameter, else (for a backup made elsewhere) the volume's size. */
    public long volumeSize(BackupConfig cfg) throws IOException {
        String size = cfg.parameters().get(BackupStore.VOLUME_SIZE_PARAMETER);
        if (size != null && size.matches("\\d+")) {
            return Long.parseLong(size);
        }
        return volumeConfig(cfg.volumeName()).map(VolumeConfig::size).orElse(cfg.size());
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
     * the field, rather than believed.
     */
    public Optional<BackupConfig> backupConfig(String volume, String backup) throws IOException {
        String key = StoreLayout.backupConfig(volume, backup);
        Optional<byte[]> data = target.read(key);
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

}
