package io.strata.nbd;

import io.strata.domain.StrataException;
import io.strata.engine.BlockDevice;
import io.strata.engine.Extent;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fake {@link Exports}: devices in memory, a count of open leases, and hooks that make a
 * device's flush wait or its I/O fail, for the server tests.
 */
final class MemoryExports implements Exports {
    private final Map<String, MemoryDevice> devices = new ConcurrentHashMap<>();
    private final Map<String, Boolean> readOnly = new ConcurrentHashMap<>();
    final AtomicInteger openLeases = new AtomicInteger();
    /** Exports that are not ready: opening one fails with this message (a volume being restored). */
    final Map<String, String> notReady = new ConcurrentHashMap<>();

    MemoryDevice add(String name, long size, boolean isReadOnly) {
        MemoryDevice device = new MemoryDevice(size);
        devices.put(name, device);
        readOnly.put(name, isReadOnly);
        return device;
    }

    @Override
    public Optional<Export> open(String name) {
        MemoryDevice device = devices.get(name);
        if (device == null) {
            return Optional.empty();
        }
        if (notReady.containsKey(name)) {
            throw new StrataException.Unavailable(notReady.get(name));
        }
        openLeases.incrementAndGet();
        return Optional.of(new Export() {
            private boolean closed;

            @Override
            public String name() {
                return name;
            }

            @Override
            public BlockDevice device() {
                return device;
            }

            @Override
            public boolean readOnly() {
                return readOnly.get(name);
            }

            @Override
            public List<Extent> allocated(long offset, long length) {
                return device.allocated();
            }

            @Override
            public synchronized void close() {
                if (closed) {
                    throw new IllegalStateException("lease on '" + name + "' closed twice");
                }
                closed = true;
                openLeases.decrementAndGet();
            }
        });
    }

    @Override
    public List<String> names() {
        return devices.keySet().stream().sorted().toList();
    }

    /** Bytes in memory; a flush may be held until released, and any call may be made to fail. */
    static final class MemoryDevice implements BlockDevice {
        private final byte[] bytes;
        volatile CountDownLatch flushGate = new CountDownLatch(0);
        final CountDownLatch flushStarted = new CountDownLatch(1);
        volatile IOException failure;

        MemoryDevice(long size) {
            this.bytes = new byte[Math.toIntExact(size)];
        }

        @Override
        public long size() {
            return bytes.length;
        }

        private void check(long offset, long length) throws IOException {
            if (failure != null) {
                throw failure;
            }
            if (offset < 0 || length < 0 || offset + length > bytes.length) {
                throw new StrataException.OutOfRange("range " + offset + "+" + length + " is outside " + bytes.length);
            }
        }

        @Override
        public synchronized void readAt(ByteBuffer dst, long offset) throws IOException {
            check(offset, dst.remaining());
            dst.put(bytes, (int) offset, dst.remaining());
        }

        @Override
        public synchronized void writeAt(ByteBuffer src, long offset) throws IOException {
            check(offset, src.remaining());
            src.get(bytes, (int) offset, src.remaining());
        }

        @Override
        public void unmap(long offset, long length) throws IOException {
            writeZeroes(offset, length);
        }

        @Override
        public synchronized void writeZeroes(long offset, long length) throws IOException {
            check(offset, length);
            java.util.Arrays.fill(bytes, (int) offset, (int) (offset + length), (byte) 0);
        }

        @Override
        public void flush() throws IOException {
            check(0, 0);
            flushStarted.countDown();
            try {
                flushGate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException();
            }
        }

        synchronized byte[] read(int offset, int length) {
            return java.util.Arrays.copyOfRange(bytes, offset, offset + length);
        }

        /** 4 KiB blocks holding a byte other than zero. */
        synchronized List<Extent> allocated() {
            List<Extent> out = new ArrayList<>();
            for (int block = 0; block < bytes.length; block += 4096) {
                boolean data = false;
                for (int i = block; i < Math.min(bytes.length, block + 4096) && !data; i++) {
                    data = bytes[i] != 0;
                }
                if (data) {
                    int end = Math.min(bytes.length, block + 4096);
                    if (!out.isEmpty() && out.getLast().end() == block) {
                        out.set(out.size() - 1, new Extent(out.getLast().offset(), end - out.getLast().offset()));
                    } else {
                        out.add(new Extent(block, end - block));
                    }
                }
            }
            return out;
        }
    }
}
