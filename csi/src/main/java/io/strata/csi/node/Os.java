package io.strata.csi.node;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The node's one way to run OS programs (mount, umount, losetup, blkid, mkfs.*, resize2fs,
 * xfs_growfs, e2fsck, nbdfuse, nbd-client): every program the Node service needs goes through here,
 * so that each has a time limit and each failure says what the program said.
 *
 * <p>Contract, for every implementation:
 * <ul>
 *   <li>{@link #run} returns only when the program has ended with one of the command's success
 *       statuses. Any other end is a {@link CommandException} whose message holds the command line,
 *       the exit status and the program's stderr: a missing program, a failure, or a program still
 *       running at the time limit, which is killed (a program stuck in the kernel may outlive the
 *       call; the call returns anyway).</li>
 *   <li>Programs get no stdin and the C locale, so that their messages read the same everywhere.</li>
 *   <li>Safe for concurrent use.</li>
 * </ul>
 * The real implementation is {@link HostOs}; tests wrap it to make chosen programs fail.
 */
public interface Os {

    /** What a program that ended well printed, and its exit status. */
    record Output(int exit, String stdout, String stderr) {}

    /** Runs {@code command} to its end. */
    Output run(Command command) throws CommandException;

    /**
     * Starts a program that keeps running after this call (a FUSE server), in its own session so that
     * a signal to this process's group (Ctrl-C) does not reach it, with stdout and stderr appended to
     * {@code log}.
     *
     * @return its process id
     * @throws CommandException when it cannot be started
     */
    long start(List<String> argv, Path log) throws CommandException;

    /** A failed, timed out or unstartable program. */
    final class CommandException extends IOException {
        private final Command command;
        private final int exit;
        private final String stderr;

        public CommandException(Command command, int exit, String stderr, String message, Throwable cause) {
            super(message, cause);
            this.command = command;
            this.exit = exit;
            this.stderr = stderr;
        }

        public Command command() {
            return command;
        }

        /** The exit status, or -1 when the program did not end by itself. */
        public int exit() {
            return exit;
        }

        public String stderr() {
            return stderr;
        }
    }
}
