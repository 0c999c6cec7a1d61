package io.strata.engine;

import io.strata.domain.StrataException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * A snapshot opened for reading: its content as a read-only {@link BlockDevice} and as a list of
 * allocated ranges (holes and zeroed ranges skipped), for backup, clone and export. The layers it
 * reads are kept in place until {@link #close()}: deleting a snapshot meanwhile removes the name at
 * once and merges the data afterwards. Safe for concurrent reads.
 */
public final class SnapshotReader implements BlockDevice, AutoCloseable {
    /** What closing a reader gives back to its volume. */
    interface Release {
        void run() throws IOException;
    }

    private final SnapshotInfo info;
    private final long size;
    private final ChainIndex index;
    private final Layer[] slots;
    private final Release release;
    private volatile boolean closed;

    SnapshotReader(SnapshotInfo info, long size, ChainIndex index, Layer[] slots, Release release) {
        this.info = info;
        this.size = size;
        this.index = index;
        this.slots = slots;
        this.release = release;
    }

    public SnapshotInfo info() {
        return info;
    }

    @Override
    public long size() {
        return size;
    }

    /** The ranges holding data, 4 KiB aligned, sorted and merged; everything else reads as zeroes. */
    public List<Extent> allocatedExtents() {
        return ChainIo.allocatedExtents(index, size);
    }

    /**
     * The ranges holding data that overlap {@code [offset, offset + length)}, cut at the 4 KiB
     * blocks around that window; the cost follows the window, not the snapshot.
     */
    public List<Extent> allocatedExtents(long offset, long length) {
        Volume.checkRange(offset, length, size);
        return ChainIo.allocatedExtents(index, size, offset, length);
    }

    @Override
    public void readAt(ByteBuffer dst, long offset) throws IOException {
        if (closed) {
            throw new StrataException.FailedPrecondition("the reader of snapshot '" + info.name() + "' is closed");
        }
        Volume.checkRange(offset, dst.remaining(), size);
        ChainIo.readResolved(dst, offset, index, slots);
    }

    @Override
    public void writeAt(ByteBuffer src, long offset) {
        throw readOnly();
    }

    @Override
    public void unmap(long offset, long length) {
        throw readOnly();
    }

    @Override
    public void writeZeroes(long offset, long length) {
        throw readOnly();
    }

    @Override
    public void flush() {
        // nothing to make durable: a snapshot does not change
    }

    private StrataException readOnly() {
        return new StrataException.FailedPrecondition("snapshot '" + info.name() + "' is read-only: write to the volume, or clone the snapshot");
    }

    @Override
    public void close() throws IOException {
        if (!closed) {
            closed = true;
            release.run();
        }
    }
}
