package io.strata.control;

import io.strata.backupstore.RestoreSink;
import io.strata.engine.Volume;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A new engine volume as the target of a restore: blocks go to its head, zero blocks stay holes.
 * Each flush also drops what it wrote back from the page cache: a restore writes the volume once and
 * reads none of it back, so its data should neither fill memory nor make each next write allocate
 * new pages.
 */
public final class VolumeRestoreSink implements RestoreSink {
    private final Volume volume;

    public VolumeRestoreSink(Volume volume) {
        this.volume = volume;
    }

    @Override
    public long size() {
        return volume.size();
    }

    @Override
    public void write(ByteBuffer src, long offset) throws IOException {
        volume.writeAt(src, offset);
    }

    @Override
    public void flush() throws IOException {
        volume.flush();
        volume.dropCache();
    }
}
