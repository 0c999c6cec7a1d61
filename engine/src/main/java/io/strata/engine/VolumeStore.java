package io.strata.engine;

import io.strata.domain.Hint;
import io.strata.domain.SnapshotName;
import io.strata.domain.StrataException;
import io.strata.domain.VolumeName;
import io.strata.engine.storage.LocalStorage;
import io.strata.engine.storage.Storage;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A data directory of volumes: {@code <data-dir>/volumes/<name>/}. Creating, cloning and deleting
 * a volume are atomic: a volume is built in a hidden directory and renamed into place, and deleted
 * by renaming it away first; what a crash leaves of either is removed on the next open. One process
 * at a time owns a data directory.
 */
public final class VolumeStore implements AutoCloseable {
    /** The largest volume: 64 TiB. */
    public static final long MAX_SIZE = 64L << 40;
    private static final System.Logger LOG = System.getLogger(VolumeStore.class.getName());
    private static final String VOLUMES = "volumes";
    private static final String CREATING = ".creating-";
    private static final String DELETING = ".deleting-";
    private static final int COPY_BUFFER = 1 << 20;

    private final Storage storage;
    private final Path volumesDir;
    private final Closeable processLock;
    private final Map<VolumeName, Volume> open = new HashMap<>();
    /** Names being created or cloned, not yet in place. */
    private final Set<VolumeName> reserved = new HashSet<>();
    private boolean closed;
    /** {@link #largestVolume()}, once learnt: the file system under the data directory does not change while it is open. */
    private long largestVolume;

    private VolumeStore(Storage storage, Path volumesDir, Closeable processLock) {
        this.storage = storage;
        this.volumesDir = volumesDir;
        this.processLock = processLock;
    }

    /** Opens (creating if needed) a data directory on the local file system. */
    public static VolumeStore open(Path dataDir) throws IOException {
        return open(dataDir, new LocalStorage());
    }

    public static VolumeStore open(Path dataDir, Storage storage) throws IOException {
        // volumes are somebody's disks: no other user of the machine may reach them, whoever made the directory
        if (storage.isDirectory(dataDir) && storage.makePrivate(dataDir)) {
            LOG.log(System.Logger.Level.WARNING, "data directory {0} was open to other users: it is now its owner''s only"
                    + " (rwx------)", dataDir.toAbsolutePath());
        }
        Path volumes = dataDir.resolve(VOLUMES);
        if (!storage.isDirectory(volumes)) {
            storage.createDirectories(volumes);
            // the new directories' names must survive a crash like everything below them
            Path parent = dataDir.toAbsolutePath().getParent();
            if (parent != null) {
                storage.syncDirectory(parent);
            }
            storage.syncDirectory(dataDir);
        }
        Closeable lock;
        try {
            lock = storage.lockExclusively(dataDir.resolve("strata.lock"));
        } catch (IOException | OverlappingFileLockException e) {
            throw new StrataException.Unavailable("data directory " + dataDir.toAbsolutePath()
                    + " is in use by another Strata process: stop it, or use its API, or pick another --data-dir", e);
        }
        VolumeStore store = new VolumeStore(storage, dataDir.resolve(VOLUMES), lock);
        store.removeLeftovers();
        return store;
    }

    private void removeLeftovers() throws IOException {
        boolean removed = false;
        for (String name : storage.list(volumesDir)) {
            if (name.startsWith(CREATING) || name.startsWith(DELETING)) {
                deleteTree(volumesDir.resolve(name));
                removed = true;
            }
        }
        if (removed) {
            storage.syncDirectory(volumesDir);
        }
    }

    /** Creates an empty volume of {@code size} bytes (a positive multiple of 4 KiB). */
    public Volume create(VolumeName name, long size) throws IOException {
        Volume.checkSize(size);
        reserve(name);
        Path temp = volumesDir.resolve(CREATING + name + "-" + System.nanoTime());
        try {
            storage.createDirectories(temp);
            Volume.create(storage, temp, name, size).close();
            return publish(name, temp);
        } catch (IOException | RuntimeException e) {
            discard(temp, e);
            throw e;
        } finally {
            unreserve(name);
        }
    }

    /**
     * Clones a snapshot of {@code source}, or its current content when {@code snapshot} is empty,
     * into a new volume {@code target} of the same size. The source stays in use meanwhile.
     */
    public Volume clone(VolumeName source, Optional<SnapshotName> snapshot, VolumeName target) throws IOException {
        Volume from = open(source);
        reserve(target);
        try {
            SnapshotName taken = snapshot.orElseGet(() -> SnapshotName.of("clone-" + Long.toHexString(System.nanoTime())));
            if (snapshot.isEmpty()) {
                from.createSnapshot(taken, Map.of(Volume.TEMPORARY_LABEL, "true",
                        "strata.io/purpose", "clone of the head into " + target), false);
            }
            Path temp = volumesDir.resolve(CREATING + target + "-" + System.nanoTime());
            try {
                storage.createDirectories(temp);
                try (SnapshotReader reader = from.openSnapshot(taken)) {
                    Volume copy = Volume.create(storage, temp, target, reader.size());
                    try {
                        copyAllocated(reader, copy);
                        copy.flush();
                    } finally {
                        copy.close();
                    }
                }
                return publish(target, temp);
            } catch (IOException | RuntimeException e) {
                discard(temp, e);
                throw e;
            } finally {
                if (snapshot.isEmpty()) {
                    from.deleteSnapshot(taken);
                }
            }
        } finally {
            unreserve(target);
        }
    }

    /** Copies every allocated range of a snapshot into a device at the same offsets. */
    public static void copyAllocated(SnapshotReader reader, BlockDevice target) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocateDirect(COPY_BUFFER);
        for (Extent extent : reader.allocatedExtents()) {
            for (long pos = extent.offset(); pos < extent.end(); pos += COPY_BUFFER) {
                buffer.clear().limit((int) Math.min(COPY_BUFFER, extent.end() - pos));
                reader.readAt(buffer, pos);
                buffer.flip();
                target.writeAt(buffer, pos);
            }
        }
    }

    /** The volume, opened on first use; it stays open, owned by the store, until deleted or the store closes. */
    public synchronized Volume open(VolumeName name) throws IOException {
        checkOpen();
        Volume volume = open.get(name);
        if (volume == null) {
            Path dir = volumesDir.resolve(name.value());
            if (!storage.exists(dir.resolve(MetaFile.NAME))) {
                throw new StrataException.NotFound("volume '" + name + "' does not exist").withHint(new Hint.ListVolumes());
            }
            volume = Volume.open(storage, dir);
            open.put(name, volume);
        }
        return volume;
    }

    /**
     * The largest volume this data directory holds: {@link #MAX_SIZE}, or less where the file
     * system's largest file is smaller (ext4 with 4 KiB blocks: 16 TiB − 1 MiB − 4 KiB), as create
     * and expand check it.
     */
    public synchronized long largestVolume() throws IOException {
        checkOpen();
        if (largestVolume == 0) {
            long largestFile = storage.largestFile(volumesDir, Layout.DATA_OFFSET + MAX_SIZE);
            largestVolume = Math.max(0, largestFile - Layout.DATA_OFFSET) / Layout.BLOCK * Layout.BLOCK;
        }
        return largestVolume;
    }

    public synchronized boolean exists(VolumeName name) {
        return open.containsKey(name) || storage.exists(volumesDir.resolve(name.value()).resolve(MetaFile.NAME));
    }

    public VolumeInfo info(VolumeName name) throws IOException {
        return open(name).info();
    }

    /** Every volume, by name. */
    public List<VolumeInfo> list() throws IOException {
        List<VolumeInfo> out = new ArrayList<>();
        for (String entry : storage.list(volumesDir)) {
            VolumeName name;
            try {
                name = VolumeName.of(entry);
            } catch (StrataException.InvalidArgument notOurs) {
                continue; // hidden work directories, or something a person put there
            }
            if (exists(name)) {
                out.add(info(name));
            }
        }
        return out;
    }

    /** Deletes a volume and all its snapshots. Readers of its snapshots must be closed first. */
    public synchronized void delete(VolumeName name) throws IOException {
        checkOpen();
        if (!exists(name)) {
            throw new StrataException.NotFound("volume '" + name + "' does not exist").withHint(new Hint.ListVolumes());
        }
        Volume volume = open.remove(name);
        if (volume != null) {
            try {
                volume.close();
            } catch (IOException | RuntimeException e) {
                // its files are closed all the same; what it could not flush (on a full disk, say) goes with it
            }
        }
        Path dir = volumesDir.resolve(name.value());
        Path doomed = volumesDir.resolve(DELETING + name + "-" + System.nanoTime());
        storage.move(dir, doomed);
        storage.syncDirectory(volumesDir);
        deleteTree(doomed);
        storage.syncDirectory(volumesDir);
    }

    private synchronized void reserve(VolumeName name) {
        checkOpen();
        if (reserved.contains(name) || exists(name)) {
            throw new StrataException.AlreadyExists("volume '" + name + "' already exists");
        }
        reserved.add(name);
    }

    private synchronized void unreserve(VolumeName name) {
        reserved.remove(name);
    }

    private synchronized Volume publish(VolumeName name, Path temp) throws IOException {
        storage.move(temp, volumesDir.resolve(name.value()));
        storage.syncDirectory(volumesDir);
        return open(name);
    }

    /** Removes what a failed create or clone built; what cannot be removed now goes at the next open. */
    private void discard(Path temp, Exception failure) {
        try {
            if (storage.exists(temp)) {
                deleteTree(temp);
            }
        } catch (IOException | RuntimeException cleanup) {
            failure.addSuppressed(cleanup);
        }
    }

    private void deleteTree(Path dir) throws IOException {
        for (String entry : storage.list(dir)) {
            Path child = dir.resolve(entry);
            if (storage.isDirectory(child)) {
                deleteTree(child);
            } else {
                storage.delete(child);
            }
        }
        storage.delete(dir);
    }

    private void checkOpen() {
        if (closed) {
            throw new StrataException.FailedPrecondition("the volume store is closed");
        }
    }

    /** Flushes and closes every open volume and releases the data directory. */
    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        IOException failure = null;
        for (Volume volume : open.values()) {
            try {
                volume.close();
            } catch (IOException e) {
                failure = e;
            }
        }
        open.clear();
        processLock.close();
        if (failure != null) {
            throw failure;
        }
    }
}
