package io.strata.server.cli;

import io.strata.domain.DiskFull;
import io.strata.domain.Redaction;
import io.strata.domain.Hint;
import io.strata.domain.StrataException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * The one place where a failure becomes an exit status and exactly one line on stderr,
 * {@code strata: <message>}. No stack traces: the domain's messages say what failed and what to do,
 * and a {@link Hint} is said here in the CLI's words (a command, never a REST endpoint). The line is
 * printed as {@link Table} prints cells: a message may quote a name from a backup target.
 */
final class ErrorReporter implements IExecutionExceptionHandler, IParameterExceptionHandler {

    /** What a failure turns into. */
    record Failure(ExitCode code, String message) {}

    @Override
    public int handleExecutionException(Exception exception, CommandLine commandLine, ParseResult parseResult) {
        return report(commandLine.getErr(), describe(exception));
    }

    @Override
    public int handleParseException(ParameterException exception, String[] args) {
        CommandLine commandLine = exception.getCommandLine();
        // a converter rejected a name or size: its domain message is clearer than picocli's wrapper
        if (exception.getCause() instanceof StrataException cause) {
            return report(commandLine.getErr(), describe(cause));
        }
        String help = "see '" + commandLine.getCommandSpec().qualifiedName() + " --help'";
        return report(commandLine.getErr(), new Failure(ExitCode.USAGE, exception.getMessage() + " (" + help + ")"));
    }

    static Failure describe(Throwable failure) {
        return switch (failure) {
            case StrataException.Internal e when DiskFull.causes(e) -> new Failure(ExitCode.RESOURCE_EXHAUSTED, DiskFull.ADVICE);
            case StrataException e -> new Failure(ExitCode.of(e), withCause(e));
            case UncheckedIOException e -> describe(e.getCause());
            case IOException e when DiskFull.causes(e) -> new Failure(ExitCode.RESOURCE_EXHAUSTED, DiskFull.ADVICE);
            case IOException e -> new Failure(ExitCode.FAILURE, "I/O error: " + describeIo(e));
            default -> new Failure(ExitCode.FAILURE, "internal error: " + failure);
        };
    }

    private static String withCause(StrataException e) {
        Throwable cause = e.getCause();
        String hint = e.hint().map(h -> ": " + say(h)).orElse("");
        if (cause == null || cause.getMessage() == null || String.valueOf(e.getMessage()).contains(cause.getMessage())) {
            return e.getMessage() + hint;
        }
        return e.getMessage() + ": " + cause.getMessage() + hint;
    }

    /** A hint as the CLI says it: the command that shows what to look up. */
    static String say(Hint hint) {
        return switch (hint) {
            case Hint.ListVolumes h -> "'strata volume ls' lists the volumes";
            case Hint.ListSnapshots h -> "'strata snapshot ls " + h.volume() + "' lists its snapshots";
            case Hint.ListBackupVolumes h -> "'strata backup ls --target " + h.target() + "' lists them";
            case Hint.ListBackups h -> "'strata backup ls --target " + h.target() + " " + h.volume() + "' lists them";
            case Hint.ListJobs h -> "'strata job ls' lists them";
            case Hint.CreateTargetDirectory h -> "mount what should be there, create the directory, or pass --create to have strata create it";
        };
    }

    private static String describeIo(IOException e) {
        return switch (e) {
            case NoSuchFileException f -> "no such file or directory: " + f.getFile();
            case AccessDeniedException f -> "permission denied: " + f.getFile();
            case FileAlreadyExistsException f -> "already exists: " + f.getFile();
            case NotDirectoryException f -> "not a directory: " + f.getFile();
            case DirectoryNotEmptyException f -> "directory not empty: " + f.getFile();
            case FileSystemException f -> f.getMessage();
            default -> e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        };
    }

    private static int report(PrintWriter err, Failure failure) {
        // one line, whatever the message holds
        err.println("strata: " + Table.printable(Redaction.text(failure.message()).replaceAll("\\s*\\R\\s*", " ").strip()));
        err.flush();
        return failure.code().status;
    }
}
