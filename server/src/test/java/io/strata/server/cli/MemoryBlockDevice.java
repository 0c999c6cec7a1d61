package io.strata.server.cli;

import io.strata.domain.StrataException;
import io.strata.engine.BlockDevice;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A fake block device in a byte array that records the calls made to it. */
final class MemoryBlockDevice implements BlockDevice {
    record Call(String kind, long offset, long length, boolean allZero) {}

    final byte[] bytes;
    final List<Call> calls = new ArrayList<>();
    int flushes;

    MemoryBlockDevice(int size) {
        bytes = new byte[size];
    }

    @Override
    public long size() {
        return bytes.length;
    }

    @Override
    public void readAt(ByteBuffer dst, long offset) {
        check(offset, dst.remaining());
        dst.put(bytes, (int) offset, dst.remaining());
    }

    @Override
    public void writeAt(ByteBuffer src, long offset) {
        check(offset, src.remaining());
        int length = src.remaining();
        src.get(bytes, (int) offset, length);
        boolean allZero = true;
        for (int i = (int) offset; i < offset + length; i++) {
            allZero &= bytes[i] == 0;
        }
        calls.add(new Call("write", offset, length, allZero));
    }

    @Override
    public void unmap(long offset, long length) {
        writeZeroes(offset, length);
    }

    @Override
    public void writeZeroes(long offset, long length) {
        check(offset, length);
        Arrays.fill(bytes, (int) offset, (int) (offset + length), (byte) 0);
        calls.add(new Call("zero", offset, length, true));
    }

    @Override
    public void flush() {
        flushes++;
    }

    List<Call> calls(String kind) {
        return calls.stream().filter(c -> c.kind().equals(kind)).toList();
    }

    private void check(long offset, long length) {
        if (offset < 0 || length < 0 || offset + length > bytes.length) {
            throw new StrataException.OutOfRange(offset + "+" + length + " is outside " + bytes.length);
        }
    }
}
