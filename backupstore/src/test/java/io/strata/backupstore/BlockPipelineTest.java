package io.strata.backupstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The two stages: workers never wait for writes, memory stays bounded, the first failure wins and nothing outlives run. */
@Timeout(30)
class BlockPipelineTest {
    private static boolean await(CountDownLatch latch) throws IOException {
        try {
            return latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            throw new IOException(e);
        }
    }

    private static void pause(long millis) throws IOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            throw new IOException(e);
        }
    }

    private static List<Long> blocks(int n) {
        return LongStream.range(0, n).boxed().toList();
    }

    @Test
    void everyBlockRunsOnceAndItsWriteRunsOnAWriterAfterIt() throws IOException {
        Set<Long> tasks = ConcurrentHashMap.newKeySet();
        Set<Long> writes = ConcurrentHashMap.newKeySet();
        Set<String> writerThreads = ConcurrentHashMap.newKeySet();
        BlockPipeline.run(blocks(200), 2, 3, block -> {
            assertThat(tasks.add(block)).isTrue();
            if (block % 3 == 0) {
                return null; // nothing to write
            }
            return () -> {
                assertThat(tasks).contains(block);
                assertThat(writes.add(block)).isTrue();
                writerThreads.add(Thread.currentThread().getName());
            };
        });
        assertThat(tasks).hasSize(200);
        assertThat(writes).hasSize(200 - 67).allMatch(b -> b % 3 != 0);
        assertThat(writerThreads).containsOnly("strata-block-writer");
    }

    @Test
    void aWorkerGoesOnWhileEarlierBlocksWaitInTheirWrites() throws IOException {
        // the first write waits for the sixth task: with one worker that only ends if the worker does not wait for writes
        CountDownLatch sixthTask = new CountDownLatch(1);
        BlockPipeline.run(blocks(6), 1, 2, block -> {
            if (block == 5) {
                sixthTask.countDown();
            }
            return () -> {
                if (block == 0 && !await(sixthTask)) {
                    throw new IOException("the worker waited for the write of block 0");
                }
            };
        });
    }

    @Test
    void atMostTwiceTheWorkersAndWritersAreInFlight() throws IOException {
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        BlockPipeline.run(blocks(300), 2, 3, block -> {
            most.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            return () -> {
                pause(1);
                inFlight.decrementAndGet();
            };
        });
        assertThat(most.get()).isBetween(2, 2 * 2 + 2 * 3);
    }

    @Test
    void theFirstFailureIsRethrownAsItWasAndStopsTheRest() {
        IOException broken = new IOException("target is gone");
        AtomicInteger tasks = new AtomicInteger();
        assertThatThrownBy(() -> BlockPipeline.run(blocks(10_000), 2, 2, block -> {
            tasks.incrementAndGet();
            return () -> {
                if (block == 20) {
                    throw broken;
                }
            };
        })).isSameAs(broken);
        assertThat(tasks.get()).as("the blocks after the failure are not started").isLessThan(200);

        IllegalStateException bug = new IllegalStateException("bug");
        assertThatThrownBy(() -> BlockPipeline.run(blocks(100), 2, (long block) -> {
            if (block == 7) {
                throw bug;
            }
        })).isSameAs(bug);
    }

    @Test
    void noWriteRunsAfterRunReturns() {
        AtomicInteger running = new AtomicInteger();
        assertThatThrownBy(() -> BlockPipeline.run(blocks(100), 2, 4, block -> () -> {
            running.incrementAndGet();
            try {
                if (block == 3) {
                    throw new IOException("fails");
                }
                pause(20);
            } finally {
                running.decrementAndGet();
            }
        })).hasMessage("fails");
        assertThat(running.get()).as("writes still running once run has thrown").isZero();
    }
}
