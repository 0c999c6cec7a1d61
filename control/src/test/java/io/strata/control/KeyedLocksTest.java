package io.strata.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Calls on one key wait for each other, calls on others do not, and two keys never deadlock. */
class KeyedLocksTest {
    private final KeyedLocks locks = new KeyedLocks();

    @Test
    void aHeldKeyHoldsUpOnlyItself() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        try (KeyedLocks.Held a = locks.lock(KeyedLocks.volume("a"))) {
            Thread waiter = Thread.ofVirtual().start(() -> {
                try (KeyedLocks.Held again = locks.lock(KeyedLocks.volume("a"))) {
                    entered.countDown();
                }
            });
            try (KeyedLocks.Held b = locks.lock(KeyedLocks.volume("b"), KeyedLocks.snapshot("a"))) {
                assertThat(entered.await(100, TimeUnit.MILLISECONDS)).as("volume/a is still held").isFalse();
            }
            try (KeyedLocks.Held reentered = locks.lock(KeyedLocks.volume("a"))) {
                assertThat(entered.getCount()).isEqualTo(1);
            }
            a.close();
            assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();
            waiter.join();
        }
    }

    @Test
    void keysTakenInAnyOrderDoNotDeadlock() throws Exception {
        AtomicInteger inside = new AtomicInteger();
        Thread[] threads = new Thread[4];
        for (int t = 0; t < threads.length; t++) {
            boolean reversed = t % 2 == 0;
            threads[t] = Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 2000; i++) {
                    try (KeyedLocks.Held held = reversed ? locks.lock("x", "y") : locks.lock("y", "x")) {
                        assertThat(inside.incrementAndGet()).isEqualTo(1);
                        inside.decrementAndGet();
                    }
                }
            });
        }
        for (Thread thread : threads) {
            thread.join(TimeUnit.SECONDS.toMillis(20));
            assertThat(thread.isAlive()).isFalse();
        }
    }
}
