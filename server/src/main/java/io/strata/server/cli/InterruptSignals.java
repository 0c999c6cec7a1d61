package io.strata.server.cli;

import java.util.ArrayList;
import java.util.List;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGINT and SIGTERM caught by one handler until {@link #restore}, then given back to what handled
 * them before. A signal the JVM keeps for itself (under {@code -Xrs}) is left as it is, and so is
 * one the process was started with ignored: the JVM keeps that ignored, as the parent meant.
 */
final class InterruptSignals {
    private static final List<String> NAMES = List.of("INT", "TERM");

    private final List<Signal> signals = new ArrayList<>();
    private final List<SignalHandler> previous = new ArrayList<>();

    private InterruptSignals(SignalHandler handler) {
        for (String name : NAMES) {
            try {
                Signal signal = new Signal(name);
                previous.add(Signal.handle(signal, handler));
                signals.add(signal);
            } catch (IllegalArgumentException inUseByTheVm) {
                // the signal then does what it would have done
            }
        }
    }

    /** Sends SIGINT and SIGTERM to {@code handler} from now on. */
    static InterruptSignals catchWith(SignalHandler handler) {
        return new InterruptSignals(handler);
    }

    /** Gives the signals back to their handlers before {@link #catchWith}. */
    void restore() {
        for (int i = 0; i < signals.size(); i++) {
            Signal.handle(signals.get(i), previous.get(i));
        }
    }
}
