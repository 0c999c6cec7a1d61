package io.strata.csi.node;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link Os} on this machine: programs from the PATH, started with {@link ProcessBuilder}. */
public final class HostOs implements Os {

    private static final Logger LOG = LoggerFactory.getLogger(HostOs.class);
    /** Output kept per stream: enough for any error message, bounded for a program that floods. */
    private static final int MAX_OUTPUT = 1 << 20;
    /** What an error message quotes of stderr. */
    private static final int MAX_QUOTED = 2000;
    private static final File NO_INPUT = new File("/dev/null");

    @Override
    public Output run(Command command) throws CommandException {
        ProcessBuilder builder = new ProcessBuilder(command.argv()).redirectInput(NO_INPUT);
        builder.environment().put("LC_ALL", "C");
        long started = System.nanoTime();
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new CommandException(command, -1, "", command.program() + " cannot be run (" + e.getMessage()
                    + "): is it installed and on the PATH?", e);
        }
        Future<String> out = drain(process.getInputStream());
        Future<String> err = drain(process.getErrorStream());
        try {
            if (!process.waitFor(command.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS); // a program stuck in the kernel may not die: do not wait for it
                String stderr = collected(err);
                throw new CommandException(command, -1, stderr, "'" + command + "' did not finish within "
                        + describe(command.timeout()) + " and was killed" + quoted(stderr), null);
            }
            int exit = process.exitValue();
            String stdout = collected(out);
            String stderr = collected(err);
            LOG.debug("'{}' exited {} after {} ms", command, exit, (System.nanoTime() - started) / 1_000_000);
            if (!command.successes().contains(exit)) {
                throw new CommandException(command, exit, stderr, "'" + command + "' failed with exit status " + exit
                        + quoted(stderr.isBlank() ? stdout : stderr), null);
            }
            return new Output(exit, stdout, stderr);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new CommandException(command, -1, "", "interrupted while '" + command + "' ran", e);
        }
    }

    @Override
    public long start(List<String> argv, Path log) throws CommandException {
        List<String> inSession = new ArrayList<>();
        inSession.add("setsid"); // not a group leader, so setsid execs the program itself: the pid stays
        inSession.addAll(argv);
        ProcessBuilder builder = new ProcessBuilder(inSession).redirectInput(NO_INPUT)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().put("LC_ALL", "C");
        try {
            return builder.start().pid();
        } catch (IOException e) {
            Command command = Command.of(argv);
            throw new CommandException(command, -1, "", argv.getFirst() + " cannot be started (" + e.getMessage()
                    + "): is it installed and on the PATH?", e);
        }
    }

    private static String describe(Duration duration) {
        return duration.toMillis() < 10_000 ? duration.toMillis() + " ms" : duration.toSeconds() + " s";
    }

    /** The program's words, as the end of a message: the last lines if long, since they say why it stopped. */
    static String quoted(String text) {
        String trimmed = text.strip();
        if (trimmed.isEmpty()) {
            return "";
        }
        if (trimmed.length() > MAX_QUOTED) {
            trimmed = "..." + trimmed.substring(trimmed.length() - MAX_QUOTED);
        }
        return ": " + trimmed.replace('\n', ' ');
    }

    private static Future<String> drain(InputStream stream) {
        java.util.concurrent.FutureTask<String> task = new java.util.concurrent.FutureTask<>(() -> {
            ByteArrayOutputStream kept = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            try (stream) {
                for (int n; (n = stream.read(buffer)) > 0; ) {
                    if (kept.size() < MAX_OUTPUT) {
                        kept.write(buffer, 0, Math.min(n, MAX_OUTPUT - kept.size()));
                    }
                }
            }
            return kept.toString(StandardCharsets.UTF_8);
        });
        Thread.ofVirtual().name("command-output").start(task);
        return task;
    }

    /** What a stream held once its program ended; a child that keeps the pipe open is not waited for long. */
    private static String collected(Future<String> output) {
        try {
            return output.get(2, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            output.cancel(true);
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        } catch (java.util.concurrent.ExecutionException e) {
            return "";
        }
    }
}
