package io.strata.server.node;

import io.strata.csi.node.Command;
import io.strata.csi.node.HostOs;
import io.strata.csi.node.Os;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/**
 * The real {@link Os}, except that a chosen program fails, as if it had exited 32 with a message:
 * to prove that a failure at any step of the node's work leaves nothing behind.
 */
final class FaultyOs implements Os {
    private final Os real = new HostOs();
    private final AtomicReference<Predicate<List<String>>> failing = new AtomicReference<>(argv -> false);

    /** From now on, commands whose arguments match {@code which} fail. */
    void failWhen(Predicate<List<String>> which) {
        failing.set(which);
    }

    /** Commands whose program and first argument start as given fail, e.g. {@code ("losetup", "--find")}. */
    void fail(String... prefix) {
        failWhen(argv -> argv.size() >= prefix.length && argv.subList(0, prefix.length).equals(List.of(prefix)));
    }

    void heal() {
        failing.set(argv -> false);
    }

    @Override
    public Output run(Command command) throws CommandException {
        if (failing.get().test(command.argv())) {
            throw new CommandException(command, 32, "injected failure", "'" + command + "' failed with exit status 32: injected failure",
                    null);
        }
        return real.run(command);
    }

    @Override
    public long start(List<String> argv, Path log) throws CommandException {
        if (failing.get().test(argv)) {
            throw new CommandException(Command.of(argv), -1, "", argv.getFirst() + " cannot be started: injected failure", null);
        }
        return real.start(argv, log);
    }
}
