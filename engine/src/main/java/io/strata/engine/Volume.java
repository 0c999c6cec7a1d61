package io.strata.engine;

import io.strata.domain.SnapshotName;
import io.strata.domain.StrataException;
import io.strata.domain.VolumeName;
import io.strata.engine.VolumeMeta.LayerRecord;
import io.strata.engine.VolumeMeta.SnapshotRecord;
import io.strata.engine.storage.Storage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One volume: a {@link BlockDevice} over its head, plus snapshots, revert, expand and changed
 * blocks. Obtained from a {@link VolumeStore}, which owns it.
 *
 * <p>Concurrency: reads and writes run in parallel (writes of one 16 MiB chunk are serialised by
 * striped locks). Snapshot, delete, revert and expand are serialised per volume by an operation
 * lock and exclude I/O only for the moment they swap the chain in memory.
 *
 * <p>Durability: every metadata change is committed by one atomic rename of {@code volume.meta};
 * files a crashed operation left behind are removed when the volume is opened.
 */
public final class Volume implements BlockDevice {
    /**
     * Label of snapshots an operation takes for itself and deletes when done (e.g. to clone the
     * head); any such snapshot found when the volume opens belongs to an operation a crash
     * interrupted, and is deleted.
     */
    public static final String TEMPORARY_LABEL = "strata.io/temporary";

    private final Storage storage;
    private final Path dir;
    /** Shared by I/O; exclusive while the chain in memory changes. */
    private final IoGate ioGate = new IoGate();
    /** Serialises metadata operations. */
    private final ReentrantLock opLock = new ReentrantLock();

    private volatile VolumeMeta meta;
    /** Every layer by id; changes under both locks. */
    private final Map<Integer, Layer> layers = new HashMap<>();
    private ChainIo chain;
    private volatile boolean closed;

    private Volume(Storage storage, Path dir, VolumeMeta meta) {
        this.storage = storage;
        this.dir = dir;
        this.meta = meta;
    }

    /** Creates an empty volume in an existing, empty directory. */
    static Volume create(Storage storage, Path dir, VolumeName name, long size) throws IOException {
        checkSize(size);
        Layer base = Layer.create(storage, dir, 1, 1, size / Layout.BLOCK);
        base.close();
        storage.syncDirectory(dir);
        VolumeMeta meta = new VolumeMeta(name, size, Instant.now(), 2, 1, List.of(new LayerRecord(1, 0, size, null)));
        MetaFile.commit(storage, dir, meta);
        return open(storage, dir);
    }

    /** Opens a volume: loads its layers, removes what a crashed operation left, merges hidden layers. */
    static Volume open(Storage storage, Path dir) throws IOException {
        storage.delete(dir.resolve(MetaFile.TEMP));
        VolumeMeta meta = MetaFile.read(storage, dir);
        Volume volume = new Volume(storage, dir, meta);
        try {
            volume.load();
            volume.removeOrphans();
            volume.removeTemporarySnapshots();
            volume.compact();
        } catch (IOException | RuntimeException e) {
            volume.closeLayers();
            throw e;
        }
        return volume;
    }

    private void load() throws IOException {
        int slot = 1;
        Layer[] slots = new Layer[256];
        for (LayerRecord record : meta.layers()) {
            Layer layer;
            try {
                layer = Layer.open(storage, dir, record.id(), slot, record.size() / Layout.BLOCK);
            } catch (java.nio.file.NoSuchFileException e) {
                throw new StrataException.Corrupt("volume '" + meta.name() + "' is damaged: its metadata names "
                        + e.getFile() + ", which is missing; restore the volume from a backup", e);
            }
            layers.put(record.id(), layer);
            slots[slot++] = layer;
        }
        chain = new ChainIo(layers.get(meta.headId()), ChainIndex.build(meta.size() / Layout.BLOCK,
                chainOldestFirst(meta.headId())), slots);
    }

    private void removeOrphans() throws IOException {
        boolean removed = false;
        for (String file : storage.list(dir)) {
            int id = Layer.idOf(file);
            if (id > 0 && !layers.containsKey(id)) {
                storage.delete(dir.resolve(file));
                removed = true;
            }
        }
        if (removed) {
            storage.syncDirectory(dir);
        }
    }

    private void removeTemporarySnapshots() throws IOException {
        for (LayerRecord layer : meta.layers()) {
            SnapshotRecord snapshot = layer.snapshot();
            if (snapshot != null && "true".equals(snapshot.labels().get(TEMPORARY_LABEL))) {
                commit(meta.mapLayer(layer.id(), l -> l.withSnapshot(null)));
            }
        }
    }

    // ---------------------------------------------------------------- BlockDevice

    @Override
    public long size() {
        return meta.size();
    }

    @Override
    public void readAt(ByteBuffer dst, long offset) throws IOException {
        int gate = ioGate.enterShared();
        try {
            checkOpen();
            checkRange(offset, dst.remaining(), meta.size());
            chain.read(dst, offset);
        } finally {
            ioGate.exitShared(gate);
        }
    }

    @Override
    public void writeAt(ByteBuffer src, long offset) throws IOException {
        if (!src.hasRemaining()) {
            return;
        }
        int gate = ioGate.enterShared();
        try {
            checkOpen();
            checkRange(offset, src.remaining(), meta.size());
            chain.write(src, offset);
        } finally {
            ioGate.exitShared(gate);
        }
    }

    @Override
    public void unmap(long offset, long length) throws IOException {
        writeZeroes(offset, length);
    }

    @Override
    public void writeZeroes(long offset, long length) throws IOException {
        if (length == 0) {
            return;
        }
        checkRange(offset, length, meta.size());
        long end = offset + length;
        long firstFull = (offset + Layout.BLOCK - 1) & -Layout.BLOCK;
        long lastFull = end & -Layout.BLOCK;
        if (firstFull >= lastFull) {
            zeroBytes(offset, length);
            return;
        }
        zeroBytes(offset, firstFull - offset);
        zeroBytes(lastFull, end - lastFull);
        int gate = ioGate.enterShared();
        try {
            checkOpen();
            chain.zeroBlocks(firstFull >>> Layout.BLOCK_SHIFT, lastFull >>> Layout.BLOCK_SHIFT, meta.head().parentId() != 0);
        } finally {
            ioGate.exitShared(gate);
        }
    }

    /** Zeroes part of a block as a write of zeroes: the rest of the block keeps its data. */
    private void zeroBytes(long offset, long length) throws IOException {
        if (length > 0) {
            writeAt(ByteBuffer.allocate((int) length), offset);
        }
    }

    @Override
    public void flush() throws IOException {
        int gate = ioGate.enterShared();
        try {
            checkOpen();
            chain.flush();
        } finally {
            ioGate.exitShared(gate);
        }
    }

    /**
     * The ranges of the head that hold data, 4 KiB aligned, sorted and merged; everything else reads
     * as zeroes. A moment's view: writes going on meanwhile may or may not show.
     */
    public List<Extent> allocatedExtents() {
        int gate = ioGate.enterShared();
        try {
            checkOpen();
            return ChainIo.allocatedExtents(chain.index(), meta.size());
        } finally {
            ioGate.exitShared(gate);
        }
    }

    // ---------------------------------------------------------------- snapshots

    public VolumeName name() {
        return meta.name();
    }

    public VolumeInfo info() {
        int gate = ioGate.enterShared();
        try {
            VolumeMeta m = meta;
            long allocated = 0;
            for (Layer layer : layers.values()) {
                allocated += layer.map().dataBlocks() * Layout.BLOCK;
            }
            return new VolumeInfo(m.name(), m.size(), m.created(), m.snapshotCount(), m.layers().size(), allocated);
        } finally {
            ioGate.exitShared(gate);
        }
    }

    /** The volume's snapshots, oldest first. */
    public List<SnapshotInfo> snapshots() {
        VolumeMeta m = meta;
        List<SnapshotInfo> out = new ArrayList<>();
        for (LayerRecord layer : m.layers()) {
            if (layer.snapshot() != null) {
                out.add(infoOf(m, layer));
            }
        }
        out.sort(Comparator.comparing(SnapshotInfo::created).thenComparing(SnapshotInfo::name));
        return out;
    }

    public SnapshotInfo snapshot(SnapshotName name) {
        VolumeMeta m = meta;
        return infoOf(m, snapshotLayer(m, name));
    }

    private static SnapshotInfo infoOf(VolumeMeta m, LayerRecord layer) {
        SnapshotRecord s = layer.snapshot();
        return new SnapshotInfo(s.name(), s.created(), layer.size(), s.labels(), s.userCreated(), m.namedParent(layer.id()));
    }

    private LayerRecord snapshotLayer(VolumeMeta m, SnapshotName name) {
        return m.snapshotLayer(name).orElseThrow(() -> new StrataException.NotFound(
                "snapshot '" + name + "' of volume '" + m.name() + "' does not exist"));
    }

    /**
     * Takes a snapshot: the head becomes a read-only layer named {@code name} and a new, empty head
     * goes on top. Costs a flush and a few small file operations, whatever the volume's size.
     */
    public SnapshotInfo createSnapshot(SnapshotName name, Map<String, String> labels, boolean userCreated) throws IOException {
        opLock.lock();
        try {
            checkOpen();
            if (meta.snapshotLayer(name).isPresent()) {
                throw new StrataException.AlreadyExists("snapshot '" + name + "' of volume '" + meta.name() + "' already exists");
            }
            if (meta.layers().size() >= Layout.MAX_LAYERS) {
                throw new StrataException.ResourceExhausted("volume '" + meta.name() + "' holds " + meta.layers().size()
                        + " layers, the most it may: delete snapshots before taking more");
            }
            flush(); // most of the data, while I/O goes on
            Layer next = prepareLayer(meta.size());
            ioGate.enterExclusive();
            try {
                chain.flush();
                VolumeMeta m = meta;
                SnapshotRecord snapshot = new SnapshotRecord(name, Instant.now(), labels, userCreated);
                List<LayerRecord> changed = new ArrayList<>(m.mapLayer(m.headId(), l -> l.withSnapshot(snapshot)).layers());
                changed.add(new LayerRecord(next.id(), m.headId(), m.size(), null));
                commitOrDiscard(m.withLayers(changed, next.id(), next.id() + 1), next);
                layers.put(next.id(), next);
                chain.install(next, true);
                return infoOf(meta, meta.layer(m.headId()));
            } finally {
                ioGate.exitExclusive();
            }
        } finally {
            opLock.unlock();
        }
    }

    /**
     * Deletes a snapshot. Its data is merged into its child so that every other snapshot and the
     * head read exactly as before; the name is gone at once, the merge may wait while a reader of
     * an affected snapshot is open.
     */
    public void deleteSnapshot(SnapshotName name) throws IOException {
        opLock.lock();
        try {
            checkOpen();
            LayerRecord layer = snapshotLayer(meta, name);
            commit(meta.mapLayer(layer.id(), l -> l.withSnapshot(null)));
            compact();
        } finally {
            opLock.unlock();
        }
    }

    /**
     * Reverts the head to a snapshot: a new, empty head on top of it replaces the current head, whose
     * unsnapshotted writes are dropped. Later snapshots stay. The size stays as it is.
     */
    public void revert(SnapshotName name) throws IOException {
        opLock.lock();
        try {
            checkOpen();
            LayerRecord target = snapshotLayer(meta, name);
            Layer next = prepareLayer(meta.size());
            Layer old;
            ioGate.enterExclusive();
            try {
                VolumeMeta m = meta;
                old = chain.head();
                List<LayerRecord> changed = new ArrayList<>(m.withoutLayer(m.headId()).layers());
                changed.add(new LayerRecord(next.id(), target.id(), m.size(), null));
                commitOrDiscard(m.withLayers(changed, next.id(), next.id() + 1), next);
                layers.remove(old.id());
                layers.put(next.id(), next);
                chain.install(next, false);
                chain.remove(old);
                chain.replace(next, ChainIndex.build(m.size() / Layout.BLOCK, chainOldestFirst(next.id())));
            } finally {
                ioGate.exitExclusive();
            }
            old.delete(storage);
            storage.syncDirectory(dir);
            compact();
        } finally {
            opLock.unlock();
        }
    }

    /** Grows the volume; new space reads as zeroes. Never shrinks. */
    public void expand(long newSize) throws IOException {
        checkSize(newSize);
        opLock.lock();
        try {
            checkOpen();
            long size = meta.size();
            if (newSize < size) {
                throw new StrataException.OutOfRange("volume '" + meta.name() + "' is " + size + " bytes; it cannot shrink to "
                        + newSize + " bytes: give a size of at least " + size);
            }
            if (newSize == size) {
                return;
            }
            ioGate.enterExclusive();
            try {
                commit(meta.withSize(newSize).mapLayer(meta.headId(), l -> l.withSize(newSize)));
                chain.head().map().grow(newSize / Layout.BLOCK);
                chain.index().grow(newSize / Layout.BLOCK);
            } finally {
                ioGate.exitExclusive();
            }
        } finally {
            opLock.unlock();
        }
    }

    /**
     * The ranges whose content may differ between snapshot {@code from} (older) and {@code to},
     * from allocation metadata only; without {@code from}, every allocated range of {@code to}.
     * Ranges are 4 KiB aligned, sorted and merged.
     */
    public List<Extent> changedExtents(Optional<SnapshotName> from, SnapshotName to) throws IOException {
        opLock.lock();
        try {
            checkOpen();
            VolumeMeta m = meta;
            LayerRecord toLayer = snapshotLayer(m, to);
            if (from.isEmpty()) {
                try (SnapshotReader reader = openReader(m, toLayer)) {
                    return reader.allocatedExtents();
                }
            }
            LayerRecord fromLayer = snapshotLayer(m, from.get());
            return ChangedBlocks.between(m, fromLayer.id(), toLayer.id(), id -> layers.get(id).map());
        } finally {
            opLock.unlock();
        }
    }

    /** Opens a snapshot for reading; its data stays in place until the reader is closed. */
    public SnapshotReader openSnapshot(SnapshotName name) throws IOException {
        opLock.lock();
        try {
            checkOpen();
            return openReader(meta, snapshotLayer(meta, name));
        } finally {
            opLock.unlock();
        }
    }

    private SnapshotReader openReader(VolumeMeta m, LayerRecord layer) {
        List<Layer> readChain = chainOldestFirst(layer.id());
        readChain.forEach(Layer::lease);
        Layer[] slots = new Layer[256];
        for (Layer l : readChain) {
            slots[l.slot()] = l;
        }
        ChainIndex readerIndex = ChainIndex.build(layer.size() / Layout.BLOCK, readChain);
        return new SnapshotReader(infoOf(m, layer), layer.size(), readerIndex, slots, () -> release(readChain));
    }

    private void release(List<Layer> readChain) throws IOException {
        opLock.lock();
        try {
            readChain.forEach(Layer::release);
            if (!closed) {
                compact();
            }
        } finally {
            opLock.unlock();
        }
    }

    // ---------------------------------------------------------------- merging hidden layers

    /** Removes or merges hidden layers (deleted snapshots) until none can be. Caller holds opLock. */
    private void compact() throws IOException {
        while (true) {
            VolumeMeta m = meta;
            LayerRecord victim = null;
            for (LayerRecord l : m.layers()) {
                if (l.snapshot() == null && l.id() != m.headId() && layers.get(l.id()).leases() == 0
                        && m.children(l.id()).size() <= 1) {
                    victim = l;
                    break;
                }
            }
            if (victim == null) {
                return;
            }
            int newParent = victim.parentId();
            Layer gone = layers.get(victim.id());
            List<LayerRecord> children = m.children(victim.id());
            VolumeMeta next = m.withoutLayer(victim.id());
            if (!children.isEmpty()) {
                LayerRecord child = children.getFirst();
                boolean childIsHead = child.id() == m.headId();
                boolean inHeadChain = m.chain(m.headId()).contains(child);
                Layer into = layers.get(child.id());
                LayerMerge.merge(gone, into, victim.parentId() == 0, inHeadChain ? chain.index() : null, chain.stripes());
                if (childIsHead) {
                    chain.flush();
                } else {
                    into.persistMap(Layer.DirtyRecords.UNLOCKED);
                }
                next = next.mapLayer(child.id(), l -> l.withParent(newParent));
            }
            ioGate.enterExclusive();
            try {
                commit(next);
                layers.remove(gone.id());
                chain.remove(gone);
            } finally {
                ioGate.exitExclusive();
            }
            gone.delete(storage);
            storage.syncDirectory(dir);
        }
    }

    // ---------------------------------------------------------------- helpers

    /** Creates the files of the next layer, durable, before the commit that makes it part of the volume. */
    private Layer prepareLayer(long size) throws IOException {
        int slot = freeSlotNumber();
        Layer layer = Layer.create(storage, dir, meta.nextLayerId(), slot, size / Layout.BLOCK);
        storage.syncDirectory(dir);
        return layer;
    }

    private void commitOrDiscard(VolumeMeta next, Layer prepared) throws IOException {
        try {
            commit(next);
        } catch (IOException | RuntimeException e) {
            prepared.delete(storage);
            throw e;
        }
    }

    private void commit(VolumeMeta next) throws IOException {
        MetaFile.commit(storage, dir, next);
        meta = next;
    }

    private int freeSlotNumber() {
        int slot = chain.freeSlot();
        if (slot < 0) {
            throw new StrataException.ResourceExhausted("volume '" + meta.name() + "' has no free layer slot: delete snapshots");
        }
        return slot;
    }

    private List<Layer> chainOldestFirst(int topId) {
        List<Layer> chain = new ArrayList<>();
        for (LayerRecord record : meta.chain(topId)) {
            chain.addFirst(layers.get(record.id()));
        }
        return chain;
    }

    static void checkSize(long size) {
        if (size <= 0 || size % Layout.BLOCK != 0) {
            throw new StrataException.InvalidArgument("invalid volume size " + size + ": give a positive multiple of 4 KiB (4096 bytes)");
        }
        if (size > VolumeStore.MAX_SIZE) {
            throw new StrataException.OutOfRange("volume size " + size + " is over the maximum of 64 TiB");
        }
    }

    static void checkRange(long offset, long length, long size) {
        if (offset < 0 || length < 0 || offset > size || length > size - offset) {
            throw new StrataException.OutOfRange("range " + offset + "+" + length + " is outside the volume's " + size + " bytes");
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new StrataException.FailedPrecondition("volume '" + meta.name() + "' is closed");
        }
    }

    Path directory() {
        return dir;
    }

    /** Flushes and closes every layer file. Readers of snapshots must be closed first. */
    void close() throws IOException {
        opLock.lock();
        try {
            ioGate.enterExclusive();
            try {
                if (closed) {
                    return;
                }
                try {
                    chain.flush();
                } finally {
                    closed = true;
                    closeLayers();
                }
            } finally {
                ioGate.exitExclusive();
            }
        } finally {
            opLock.unlock();
        }
    }

    private void closeLayers() {
        layers.values().forEach(Layer::close);
    }
}
