package io.strata.engine;

import java.util.concurrent.locks.ReentrantLock;

/**
 * Locks guarding the head's map and index per chunk, striped so that writers of different regions
 * rarely meet. A range's stripes are always taken in ascending order, so two writers never deadlock.
 */
final class StripeLocks {
    private static final int STRIPES = 64;
    private final ReentrantLock[] locks = new ReentrantLock[STRIPES];

    StripeLocks() {
        for (int i = 0; i < STRIPES; i++) {
            locks[i] = new ReentrantLock();
        }
    }

    /** Locks the stripes of chunks {@code first..last} (inclusive); returns what {@link #unlock} needs. */
    long lock(int firstChunk, int lastChunk) {
        long mask = maskOf(firstChunk, lastChunk);
        for (int i = 0; i < STRIPES; i++) {
            if ((mask & (1L << i)) != 0) {
                locks[i].lock();
            }
        }
        return mask;
    }

    void unlock(long mask) {
        for (int i = STRIPES - 1; i >= 0; i--) {
            if ((mask & (1L << i)) != 0) {
                locks[i].unlock();
            }
        }
    }

    long lockChunk(int chunk) {
        return lock(chunk, chunk);
    }

    private static long maskOf(int firstChunk, int lastChunk) {
        if (lastChunk - firstChunk + 1 >= STRIPES) {
            return -1L;
        }
        long mask = 0;
        for (int c = firstChunk; c <= lastChunk; c++) {
            mask |= 1L << (c % STRIPES);
        }
        return mask;
    }
}
