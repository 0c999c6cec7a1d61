package io.strata.csi.node;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One run of an OS program: its arguments (never through a shell), how long it may take, and which
 * exit statuses mean success (0, plus any a caller reads as an answer, like blkid's 2 for "nothing
 * found").
 */
public record Command(List<String> argv, Duration timeout, Set<Integer> successes) {

    /** Long enough for mount, losetup and friends on a busy machine; a hung device fails the call instead of hanging it. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
    /** Making or growing a filesystem writes metadata in proportion to its size. */
    public static final Duration LONG_TIMEOUT = Duration.ofMinutes(5);

    public Command {
        argv = List.copyOf(argv);
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("a command needs a program");
        }
        Objects.requireNonNull(timeout, "timeout");
        successes = Set.copyOf(successes);
    }

    /** {@code program args...}, succeeding on exit 0, within {@link #DEFAULT_TIMEOUT}. */
    public static Command of(String... argv) {
        return new Command(List.of(argv), DEFAULT_TIMEOUT, Set.of(0));
    }

    public static Command of(List<String> argv) {
        return new Command(argv, DEFAULT_TIMEOUT, Set.of(0));
    }

    public Command timeout(Duration limit) {
        return new Command(argv, limit, successes);
    }

    /** Also treats {@code statuses} as success: the caller reads the exit status as an answer. */
    public Command alsoSucceedsWith(Integer... statuses) {
        Set<Integer> all = new java.util.HashSet<>(successes);
        all.addAll(List.of(statuses));
        return new Command(argv, timeout, all);
    }

    public String program() {
        return argv.getFirst();
    }

    /** The command as a person would type it, for messages. */
    @Override
    public String toString() {
        return String.join(" ", argv);
    }
}
