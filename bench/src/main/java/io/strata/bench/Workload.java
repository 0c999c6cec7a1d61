package io.strata.bench;

import io.strata.engine.BlockDevice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The timed I/O patterns, the same code for every target. Each call allocates its buffers and its
 * threads before the clock starts; a write pattern's final {@code flush()} is inside the timing.
 *
 * <p>Every 4 KiB block written carries a stamp derived from the block number and the pattern's seed,
 * so that the targets, given the same calls, end up byte-for-byte equal and {@link #verifySame} can
 * tell a read from the wrong layer.
 */
final class Workload {
    static final int SEQUENTIAL_IO = 1 << 20;
    static final int RANDOM_IO = 4096;
    private static final int BLOCK_SHIFT = 12;

    /** Keeps the JIT from discarding what reads return. */
    static volatile long sink;

    private Workload() {}

    /** One timed run of a pattern. */
    record Result(long nanos, long bytes, long ops) {
        double mibPerSecond() {
            return bytes / (double) (1 << 20) / (nanos / 1e9);
        }

        double opsPerSecond() {
            return ops / (nanos / 1e9);
        }
    }

    /** Writes {@code [0, size)} in 1 MiB writes, then flushes. */
    static Result sequentialWrite(BlockDevice device, long size, long seed) throws IOException {
        ByteBuffer buffer = filled(SEQUENTIAL_IO, seed);
        long start = System.nanoTime();
        for (long offset = 0; offset < size; offset += SEQUENTIAL_IO) {
            buffer.clear().limit((int) Math.min(SEQUENTIAL_IO, size - offset));
            for (int at = 0; at < buffer.limit(); at += RANDOM_IO) {
                buffer.putLong(at, stamp(seed, (offset + at) >>> BLOCK_SHIFT));
            }
            device.writeAt(buffer, offset);
        }
        device.flush();
        return new Result(System.nanoTime() - start, size, size / SEQUENTIAL_IO);
    }

    /** Reads {@code [0, size)} in 1 MiB reads. */
    static Result sequentialRead(BlockDevice device, long size) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocateDirect(SEQUENTIAL_IO);
        long sum = 0;
        long start = System.nanoTime();
        for (long offset = 0; offset < size; offset += SEQUENTIAL_IO) {
            buffer.clear().limit((int) Math.min(SEQUENTIAL_IO, size - offset));
            device.readAt(buffer, offset);
            sum += buffer.getLong(0);
        }
        long nanos = System.nanoTime() - start;
        sink = sum;
        return new Result(nanos, size, size / SEQUENTIAL_IO);
    }

    /** Reads one 4 KiB block per entry; thread {@code t} reads {@code blocks[t]}. */
    static Result randomRead(BlockDevice device, long[][] blocks) throws IOException {
        return inParallel(blocks, false, device, (buffer, block) -> {
            buffer.clear();
            device.readAt(buffer, block << BLOCK_SHIFT);
            return buffer.getLong(0);
        });
    }

    /** Writes one 4 KiB block per entry (thread {@code t} writes {@code blocks[t]}), then flushes. */
    static Result randomWrite(BlockDevice device, long[][] blocks, long seed) throws IOException {
        return inParallel(blocks, true, device, (buffer, block) -> {
            buffer.clear();
            buffer.putLong(0, stamp(seed, block));
            device.writeAt(buffer, block << BLOCK_SHIFT);
            return 0;
        });
    }

    /**
     * {@code ops} random blocks of {@code [0, blocks)}, split over {@code threads}: thread {@code t}
     * gets blocks {@code b} with {@code b % threads == t}, so that concurrent writers never write the
     * same block and the result does not depend on how the threads interleave.
     */
    static long[][] randomBlocks(long blocks, int ops, int threads, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        long perThread = blocks / threads;
        long[][] out = new long[threads][ops / threads];
        for (int t = 0; t < threads; t++) {
            for (int i = 0; i < out[t].length; i++) {
                out[t][i] = t + threads * random.nextLong(perThread);
            }
        }
        return out;
    }

    /** Fails unless both devices hold the same bytes in {@code [0, size)}. */
    static void verifySame(BlockDevice expected, BlockDevice actual, long size, String what) throws IOException {
        ByteBuffer a = ByteBuffer.allocateDirect(SEQUENTIAL_IO);
        ByteBuffer b = ByteBuffer.allocateDirect(SEQUENTIAL_IO);
        for (long offset = 0; offset < size; offset += SEQUENTIAL_IO) {
            int n = (int) Math.min(SEQUENTIAL_IO, size - offset);
            a.clear().limit(n);
            b.clear().limit(n);
            expected.readAt(a, offset);
            actual.readAt(b, offset);
            int at = a.flip().mismatch(b.flip());
            if (at >= 0) {
                throw new IllegalStateException(what + " differs from the plain file at byte " + (offset + at)
                        + ": the benchmark's numbers would be meaningless");
            }
        }
    }

    private interface BlockOp {
        long run(ByteBuffer buffer, long block) throws IOException;
    }

    private static Result inParallel(long[][] blocks, boolean flush, BlockDevice device, BlockOp op) throws IOException {
        int threads = blocks.length;
        long ops = 0;
        for (long[] mine : blocks) {
            ops += mine.length;
        }
        if (threads == 1) {
            // on the caller's thread: no hand-over in the timing of the single-threaded rows
            ByteBuffer buffer = filled(RANDOM_IO, 0);
            long sum = 0;
            long start = System.nanoTime();
            for (long block : blocks[0]) {
                sum += op.run(buffer, block);
            }
            if (flush) {
                device.flush();
            }
            long nanos = System.nanoTime() - start;
            sink = sum;
            return new Result(nanos, ops * RANDOM_IO, ops);
        }
        CyclicBarrier gate = new CyclicBarrier(threads + 1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread[] workers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            long[] mine = blocks[t];
            ByteBuffer buffer = filled(RANDOM_IO, t);
            workers[t] = Thread.ofPlatform().name("bench-" + t).start(() -> {
                try {
                    gate.await();
                    long sum = 0;
                    for (long block : mine) {
                        sum += op.run(buffer, block);
                    }
                    sink = sum;
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            });
        }
        long start;
        try {
            gate.await();
            start = System.nanoTime();
            for (Thread worker : workers) {
                worker.join();
            }
        } catch (InterruptedException | BrokenBarrierException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the benchmark threads", e);
        }
        switch (failure.get()) {
            case null -> { }
            case IOException e -> throw e;
            case RuntimeException e -> throw e;
            case Error e -> throw e;
            case Throwable e -> throw new IOException("a benchmark thread failed", e);
        }
        if (flush) {
            device.flush();
        }
        return new Result(System.nanoTime() - start, ops * RANDOM_IO, ops);
    }

    /** A direct buffer of seeded, incompressible bytes. */
    static ByteBuffer filled(int size, long seed) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(size);
        SplittableRandom random = new SplittableRandom(seed);
        while (buffer.remaining() >= 8) {
            buffer.putLong(random.nextLong());
        }
        return buffer.clear();
    }

    static long stamp(long seed, long block) {
        long z = seed * 0x9E3779B97F4A7C15L + block;
        z = (z ^ (z >>> 33)) * 0xFF51AFD7ED558CCDL;
        return z ^ (z >>> 33);
    }
}
