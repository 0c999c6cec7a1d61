package io.strata.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Named.named;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.strata.domain.StrataException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The one mapping from failures to exit codes and messages. */
class ErrorReporterTest {

    static Stream<Arguments> failures() {
        IOException disk = new IOException("disk on fire");
        return Stream.of(
                failure("NotFound", new StrataException.NotFound("volume 'x' does not exist"), ExitCode.NOT_FOUND, "volume 'x' does not exist"),
                failure("AlreadyExists", new StrataException.AlreadyExists("exists"), ExitCode.ALREADY_EXISTS, "exists"),
                failure("InvalidArgument", new StrataException.InvalidArgument("bad"), ExitCode.USAGE, "bad"),
                failure("FailedPrecondition", new StrataException.FailedPrecondition("not now"), ExitCode.FAILED_PRECONDITION, "not now"),
                failure("OutOfRange", new StrataException.OutOfRange("too far"), ExitCode.FAILED_PRECONDITION, "too far"),
                failure("Unavailable", new StrataException.Unavailable("locked"), ExitCode.UNAVAILABLE, "locked"),
                failure("ResourceExhausted", new StrataException.ResourceExhausted("full"), ExitCode.RESOURCE_EXHAUSTED, "full"),
                failure("Corrupt", new StrataException.Corrupt("bad checksum"), ExitCode.CORRUPT, "bad checksum"),
                failure("Internal with its cause", new StrataException.Internal("cannot write meta", disk), ExitCode.FAILURE, "cannot write meta: disk on fire"),
                failure("IOException", disk, ExitCode.FAILURE, "I/O error: disk on fire"),
                failure("missing file", new NoSuchFileException("/x/y"), ExitCode.FAILURE, "I/O error: no such file or directory: /x/y"),
                failure("permission denied", new AccessDeniedException("/root/z"), ExitCode.FAILURE, "I/O error: permission denied: /root/z"),
                failure("UncheckedIOException", new UncheckedIOException(disk), ExitCode.FAILURE, "I/O error: disk on fire"),
                failure("a full disk", new java.nio.file.FileSystemException("/data/v/layer", null, "No space left on device"),
                        ExitCode.RESOURCE_EXHAUSTED, io.strata.domain.DiskFull.ADVICE),
                failure("a full disk under a domain error", new StrataException.Internal("cannot write meta",
                        new IOException("No space left on device")), ExitCode.RESOURCE_EXHAUSTED, io.strata.domain.DiskFull.ADVICE),
                failure("a bug", new IllegalStateException("oops"), ExitCode.FAILURE, "internal error: java.lang.IllegalStateException: oops"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("failures")
    void mapsEachFailureToItsCodeAndMessage(Throwable failure, ExitCode code, String message) {
        ErrorReporter.Failure described = ErrorReporter.describe(failure);

        assertThat(described.code()).isEqualTo(code);
        assertThat(described.message()).isEqualTo(message);
    }

    @Test
    void exitStatusesAreDistinct() {
        assertThat(Arrays.stream(ExitCode.values()).map(code -> code.status)).doesNotHaveDuplicates();
        assertThat(ExitCode.OK.status).isZero();
    }

    private static Arguments failure(String name, Throwable failure, ExitCode code, String message) {
        return arguments(named(name, failure), code, message);
    }
}
