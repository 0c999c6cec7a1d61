package io.strata.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class IoGateTest {

    @Test
    void noSharedHolderIsInsideWhileTheExclusiveOneIs() throws Exception {
        IoGate gate = new IoGate();
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger violations = new AtomicInteger();
        AtomicInteger sharedEntries = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> readers = new ArrayList<>();
        for (int t = 0; t < 6; t++) {
            readers.add(Thread.ofPlatform().start(() -> {
                while (!stop.get()) {
                    int token = gate.enterShared();
                    inside.incrementAndGet();
                    sharedEntries.incrementAndGet();
                    inside.decrementAndGet();
                    gate.exitShared(token);
                }
            }));
        }
        for (int i = 0; i < 2000; i++) {
            gate.enterExclusive();
            if (inside.get() != 0) {
                violations.incrementAndGet();
            }
            gate.exitExclusive();
        }
        stop.set(true);
        for (Thread reader : readers) {
            reader.join();
        }
        assertThat(violations.get()).isZero();
        assertThat(sharedEntries.get()).as("readers got through between writers").isPositive();
    }

    @Test
    void theExclusiveHolderCannotEnterShared() {
        IoGate gate = new IoGate();
        gate.enterExclusive();
        assertThatThrownBy(gate::enterShared).isInstanceOf(IllegalStateException.class);
        gate.exitExclusive();
        gate.exitShared(gate.enterShared());
    }
}
