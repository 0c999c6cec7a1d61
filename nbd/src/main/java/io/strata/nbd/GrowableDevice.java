package io.strata.nbd;

import io.strata.domain.StrataException;
import io.strata.engine.BlockDevice;
import io.strata.engine.Volume;
import io.strata.engine.VolumeStore;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A volume seen through a device of the largest size a volume may have ({@link VolumeStore#MAX_SIZE}),
 * for a client that cannot learn a new size once connected. The volume's own size, read on every
 * call, is where its data ends: beyond it reads return zeroes, writes fail with
 * {@link StrataException.ResourceExhausted} (ENOSPC on the wire) and change nothing, and trims and
 * zeroes have nothing to do. When the volume is expanded, the new room is there for the next request
 * on every connection.
 *
 * <p>The node puts a loop device limited to the volume's size on top, so the kernel never goes past
 * the end; this device makes sure nothing else does either.
 */
final class GrowableDevice implements BlockDevice {
    private final Volume volume;

    GrowableDevice(Volume volume) {
        this.volume = volume;
    }

    @Override
    public long size() {
        return VolumeStore.MAX_SIZE;
    }

    @Override
    public void readAt(ByteBuffer dst, long offset) throws IOException {
        long end = volume.size();
        int inside = (int) Math.max(0, Math.min(dst.remaining(), end - offset));
        if (inside > 0) {
            int limit = dst.limit();
            dst.limit(dst.position() + inside);
            try {
                volume.readAt(dst, offset);
            } finally {
                dst.limit(limit);
            }
        }
        while (dst.hasRemaining()) {
            dst.put((byte) 0);
        }
    }

    @Override
    public void writeAt(ByteBuffer src, long offset) throws IOException {
        long end = volume.size();
        if (offset + src.remaining() > end) {
            throw new StrataException.ResourceExhausted("a write of " + src.remaining() + " bytes at " + offset
                    + " goes past the end of volume " + volume.name() + " (" + end + " bytes): expand the volume first");
        }
        volume.writeAt(src, offset);
    }

    @Override
    public void unmap(long offset, long length) throws IOException {
        long inside = Math.min(length, volume.size() - offset);
        if (inside > 0) {
            volume.unmap(offset, inside);
        }
    }

    @Override
    public void writeZeroes(long offset, long length) throws IOException {
        long inside = Math.min(length, volume.size() - offset);
        if (inside > 0) {
            volume.writeZeroes(offset, inside);
        }
    }

    @Override
    public void flush() throws IOException {
        volume.flush();
    }
}
