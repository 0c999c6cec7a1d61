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

    /** Shared by I/O; exclusive while the chain in memory changes. */
    private final IoGate ioGate = new IoGate();
    /** Serialises metadata operations. */
    private final ReentrantLock opLock = new ReentrantLock();
    private final LayerFiles files;
    private final ChainIo chain;
    private volatile boolean closed;

    private Volume(LayerFiles files) {
        this.files = files;
        VolumeMeta meta = files.meta();
        this.chain = new ChainIo(files.layer(meta.headId()),
                ChainIndex.build(meta.size() / Layout.BLOCK, files.chainOldestFirst(meta.headId())), files.slots());
    }

    /** Creates an empty volume in an existing, empty directory. */
    static Volume create(Storage storage, Path dir, VolumeName name, long size) throws IOException {
        checkSize(size);
        FileSizeLimit.require(storage, dir, name, size);
        Layer.create(storage, dir, 1, 1, size / Layout.BLOCK).close();
        storage.syncDirectory(dir);
        MetaFile.commit(storage, dir, new VolumeMeta(name, size, Instant.now(), 2, 1, List.of(new LayerRecord(1, 0, size, null))));
        return open(storage, dir);
    }

    /** Opens a volume: loads its layers, removes what a crashed operation left, merges hidden layers. */
    static Volume open(Storage storage, Path dir) throws IOException {
        LayerFiles files = LayerFiles.open(storage, dir);
        try {
            Volume volume = new Volume(files);
            files.removeOrphans();
            volume.removeTemporarySnapshots();
            volume.compact();
            return volume;
        } catch (IOException | RuntimeException e) {
            files.closeAll();
            throw e;
        }
    }

    private void removeTemporarySnapshots() throws IOException {
        for (LayerRecord layer : files.meta().layers()) {
            SnapshotRecord snapshot = layer.snapshot();
            if (snapshot != null && "true".equals(snapshot.labels().get(TEMPORARY_LABEL))) {
                files.commit(files.meta().mapLayer(layer.id(), l -> l.withSnapshot(null)));
            }
        }
    }

    // ---------------------------------------------------------------- BlockDevice

    @Override
    public long size() {
        return files.meta().size();
    }

    @Override
    public void readAt(ByteBuffer dst, long offset) throws IOException {
        int gate = ioGate.enterShared();
        try {
            checkOpen();
            checkRange(offset, dst.remaining(), size());
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
            checkRange(offset, src.remaining(), size());
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
        checkRange(offset, length, size());
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
            boolean masks = files.meta().head().parentId() != 0;
            chain.zeroBlocks(firstFull >>> Layout.BLOCK_SHIFT, lastFull >>> Layout.BLOCK_SHIFT, masks);
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
     * The ranges of the head holding data that overlap {@code [offset, offset + length)}, cut at the
     * 4 KiB blocks around that window: what a client asking about part of a large volume needs, at a
     * cost that follows the window, not the volume. A moment's view, as {@link #allocatedExtents()}.
     */
    public List<Extent> allocatedExtents(long offset, long length) {
        int gate = ioGate.enterShared();
        try {
            checkOpen();
            checkRange(offset, length, size());
            return ChainIo.allocatedExtents(chain.index(), size(), offset, length);
        } finally {
            ioGate.exitShared(gate);
        }
    }

    /**
     * Lets the page cache go of the head's data that is already written back: for a writer of much
     * data that nothing reads back soon, such as a restore, after a {@link #flush}. Its next writes
     * then reuse the memory just freed, instead of growing the page cache (which on some hosts costs
     * more than the write itself) and pushing other volumes' data out of it. Data not yet written back
     * stays cached, and nothing read afterwards changes: this is a hint about memory, not about
     * content, and does nothing where the host cannot take it.
     */
    public void dropCache() throws IOException {
        int gate = ioGate.enterShared();
        try {
            checkOpen();
            chain.dropCache();
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
            return ChainIo.allocatedExtents(chain.index(), size());
        } finally {
            ioGate.exitShared(gate);
        }
    }

    // ---------------------------------------------------------------- snapshots

    public VolumeName name() {
        return files.meta().name();
    }

    public VolumeInfo info() {
        int gate = ioGate.enterShared();
        try {
            VolumeMeta m = files.meta();
            return new VolumeInfo(m.name(), m.size(), m.created(), m.snapshotCount(), m.layers().size(), files.allocatedBytes());
        } finally {
            ioGate.exitShared(gate);
        }
    }

    /** The volume's snapshots, oldest first. */
    public List<SnapshotInfo> snapshots() {
        VolumeMeta m = files.meta();
        List<SnapshotInfo> out = new ArrayList<>();
        for (LayerRecord layer : m.layers()) {
            if (layer.snapshot() != null) {
                out.add(m.snapshotInfo(layer));
            }
        }
        out.sort(Comparator.comparing(SnapshotInfo::created).thenComparing(SnapshotInfo::name));
        return out;
    }

    public SnapshotInfo snapshot(SnapshotName name) {
        VolumeMeta m = files.meta();
        return m.snapshotInfo(m.requireSnapshot(name));
    }

    /**
     * Takes a snapshot: the head becomes a read-only layer named {@code name} and a new, empty head
     * goes on top. Costs a flush and a few small file operations, whatever the volume's size.
     */
    public SnapshotInfo createSnapshot(SnapshotName name, Map<String, String> labels, boolean userCreated) throws IOException {
        opLock.lock();
        try {
            checkOpen();
            VolumeMeta m = files.meta();
            if (m.snapshotLayer(name).isPresent()) {
                throw new StrataException.AlreadyExists("snapshot '" + name + "' of volume '" + m.name() + "' already exists");
            }
            if (m.layers().size() >= Layout.MAX_LAYERS) {
                throw new StrataException.ResourceExhausted("volume '" + m.name() + "' holds " + m.layers().size()
                        + " layers, the most it may: delete snapshots before taking more");
            }
            flush(); // most of the data, while I/O goes on
            Layer next = files.prepare(freeSlot(), m.size());
            ioGate.enterExclusive();
            try {
                chain.flush();
                SnapshotRecord snapshot = new SnapshotRecord(name, Instant.now(), labels, userCreated);
                List<LayerRecord> changed = new ArrayList<>(m.mapLayer(m.headId(), l -> l.withSnapshot(snapshot)).layers());
                changed.add(new LayerRecord(next.id(), m.headId(), m.size(), null));
                files.commitWith(m.withLayers(changed, next.id(), next.id() + 1), next);
                chain.install(next, true);
                return files.meta().snapshotInfo(files.meta().layer(m.headId()));
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
            VolumeMeta m = files.meta();
            files.commit(m.mapLayer(m.requireSnapshot(name).id(), l -> l.withSnapshot(null)));
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
            VolumeMeta m = files.meta();
            LayerRecord target = m.requireSnapshot(name);
            Layer next = files.prepare(freeSlot(), m.size());
            Layer old = chain.head();
            ioGate.enterExclusive();
            try {
                List<LayerRecord> changed = new ArrayList<>(m.withoutLayer(m.headId()).layers());
                changed.add(new LayerRecord(next.id(), target.id(), m.size(), null));
                files.commitWith(m.withLayers(changed, next.id(), next.id() + 1), next);
                files.forget(old);
                chain.install(next, false);
                chain.remove(old);
                chain.replace(next, ChainIndex.build(m.size() / Layout.BLOCK, files.chainOldestFirst(next.id())));
            } finally {
                ioGate.exitExclusive();
            }
            files.delete(old);
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
            VolumeMeta m = files.meta();
            if (newSize < m.size()) {
                throw new StrataException.OutOfRange("volume '" + m.name() + "' is " + m.size() + " bytes; it cannot shrink to "
                        + newSize + " bytes: give a size of at least " + m.size());
            }
            if (newSize == m.size()) {
                return;
            }
            files.requireRoomFor(newSize);
            ioGate.enterExclusive();
            try {
                files.commit(m.withSize(newSize).mapLayer(m.headId(), l -> l.withSize(newSize)));
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
            VolumeMeta m = files.meta();
            LayerRecord toLayer = m.requireSnapshot(to);
            if (from.isEmpty()) {
                try (SnapshotReader reader = openReader(toLayer)) {
                    return reader.allocatedExtents();
                }
            }
            return ChangedBlocks.between(m, m.requireSnapshot(from.get()).id(), toLayer.id(), id -> files.layer(id).map());
        } finally {
            opLock.unlock();
        }
    }

    /** Opens a snapshot for reading; its data stays in place until the reader is closed. */
    public SnapshotReader openSnapshot(SnapshotName name) throws IOException {
        opLock.lock();
        try {
            checkOpen();
            return openReader(files.meta().requireSnapshot(name));
        } finally {
            opLock.unlock();
        }
    }

    private SnapshotReader openReader(LayerRecord layer) {
        List<Layer> readChain = files.chainOldestFirst(layer.id());
        readChain.forEach(Layer::lease);
        Layer[] slots = new Layer[256];
        for (Layer l : readChain) {
            slots[l.slot()] = l;
        }
        ChainIndex readerIndex = ChainIndex.build(layer.size() / Layout.BLOCK, readChain);
        return new SnapshotReader(files.meta().snapshotInfo(layer), layer.size(), readerIndex, slots, () -> release(readChain));
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
        for (LayerRecord victim = nextToCompact(); victim != null; victim = nextToCompact()) {
            VolumeMeta m = files.meta();
            int newParent = victim.parentId();
            Layer gone = files.layer(victim.id());
            List<LayerRecord> children = m.children(victim.id());
            VolumeMeta next = m.withoutLayer(victim.id());
            if (!children.isEmpty()) {
                LayerRecord child = children.getFirst();
                boolean inHeadChain = m.chain(m.headId()).contains(child);
                Layer into = files.layer(child.id());
                LayerMerge.merge(gone, into, newParent == 0, inHeadChain ? chain.index() : null, chain.stripes());
                if (child.id() == m.headId()) {
                    chain.flush();
                } else {
                    into.persistMap(Layer.DirtyRecords.UNLOCKED);
                }
                next = next.mapLayer(child.id(), l -> l.withParent(newParent));
            }
            ioGate.enterExclusive();
            try {
                files.commit(next);
                files.forget(gone);
                chain.remove(gone);
            } finally {
                ioGate.exitExclusive();
            }
            files.delete(gone);
        }
    }

    /** A hidden layer no reader holds, with at most one child: it can go now. */
    private LayerRecord nextToCompact() {
        VolumeMeta m = files.meta();
        for (LayerRecord l : m.layers()) {
            if (l.snapshot() == null && l.id() != m.headId() && files.layer(l.id()).leases() == 0
                    && m.children(l.id()).size() <= 1) {
                return l;
            }
        }
        return null;
    }

    // ---------------------------------------------------------------- helpers

    private int freeSlot() {
        int slot = chain.freeSlot();
        if (slot < 0) {
            throw new StrataException.ResourceExhausted("volume '" + name() + "' has no free layer slot: delete snapshots");
        }
        return slot;
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
            throw new StrataException.FailedPrecondition("volume '" + name() + "' is closed");
        }
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
                    files.closeAll();
                }
            } finally {
                ioGate.exitExclusive();
            }
        } finally {
            opLock.unlock();
        }
    }
}
