package io.strata.engine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The volume's read-write lock for the data path: every I/O call enters shared, a metadata
 * operation that swaps the chain enters exclusive. Shared holders count themselves in one of many
 * slots, each on its own cache line, chosen by thread; a {@code ReentrantReadWriteLock} keeps one
 * count that every core's I/O fights over, which costs about 100 ns per call on two cores.
 *
 * <p>Protocol: a reader adds itself to its slot and then checks for a waiting writer; a writer
 * announces itself and then waits for every slot to drain. Both are volatile accesses, so at least
 * one side sees the other. A reader that sees a writer steps back and waits for it, so writers are
 * never starved. Not reentrant: the exclusive holder must not enter shared.
 */
final class IoGate {
    private static final int SLOTS = 32;
    /** Longs between two slots: 128 bytes, so no two slots share a cache line (or its neighbour). */
    private static final int STRIDE = 16;
    private static final VarHandle COUNT = MethodHandles.arrayElementVarHandle(long[].class);

    private final long[] counts = new long[SLOTS * STRIDE + STRIDE];
    private final ReentrantLock writer = new ReentrantLock();
    private volatile boolean writerWaiting;

    /** Enters shared; returns the token {@link #exitShared} needs. */
    int enterShared() {
        int slot = slotOfCurrentThread();
        while (true) {
            COUNT.getAndAdd(counts, slot, 1L);
            if (!writerWaiting) {
                return slot;
            }
            COUNT.getAndAdd(counts, slot, -1L);
            if (writer.isHeldByCurrentThread()) {
                throw new IllegalStateException("the exclusive holder of a volume's I/O gate entered it shared");
            }
            writer.lock(); // waits for the writer to finish
            writer.unlock();
        }
    }

    void exitShared(int token) {
        COUNT.getAndAdd(counts, token, -1L);
    }

    void enterExclusive() {
        writer.lock();
        writerWaiting = true;
        for (int slot = STRIDE; slot < counts.length; slot += STRIDE) {
            int spins = 0;
            while ((long) COUNT.getVolatile(counts, slot) != 0) {
                if (++spins < 200) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.parkNanos(20_000);
                }
            }
        }
    }

    void exitExclusive() {
        writerWaiting = false;
        writer.unlock();
    }

    private static int slotOfCurrentThread() {
        long id = Thread.currentThread().threadId() * 0x9E3779B97F4A7C15L;
        return (1 + (int) ((id >>> 40) & (SLOTS - 1))) * STRIDE; // slot 0 is left as padding
    }
}
