package io.strata.bench;

import io.strata.engine.BlockDevice;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The baseline: one file read and written the way the engine reads and writes its layer files
 * (positional {@link FileChannel} calls, {@code force(false)} to flush), with nothing in between.
 * It starts empty, like a new layer file, so its first fill allocates as the engine's does.
 */
final class PlainFileDevice implements BlockDevice, Closeable {
    private final FileChannel channel;
    private final long size;

    private PlainFileDevice(FileChannel channel, long size) {
        this.channel = channel;
        this.size = size;
    }

    static PlainFileDevice create(Path path, long size) throws IOException {
        return new PlainFileDevice(FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE), size);
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public void readAt(ByteBuffer dst, long offset) throws IOException {
        long pos = offset;
        while (dst.hasRemaining()) {
            int n = channel.read(dst, pos);
            if (n < 0) {
                throw new IOException("read at " + pos + " is beyond the end of the plain file: fill it first");
            }
            pos += n;
        }
    }

    @Override
    public void writeAt(ByteBuffer src, long offset) throws IOException {
        long pos = offset;
        while (src.hasRemaining()) {
            pos += channel.write(src, pos);
        }
    }

    @Override
    public void unmap(long offset, long length) {
        throw new UnsupportedOperationException("the benchmark's plain file does not unmap");
    }

    @Override
    public void writeZeroes(long offset, long length) {
        throw new UnsupportedOperationException("the benchmark's plain file does not write zeroes");
    }

    @Override
    public void flush() throws IOException {
        channel.force(false);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
