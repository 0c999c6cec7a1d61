package io.strata.csi;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.grpc.Status.Code;
import io.strata.domain.StrataException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.nio.file.NoSuchFileException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class GrpcErrorsTest {

    private static final String SECRET = "AKIA-SENTINEL-7f3c";

    static Stream<Arguments> domainErrors() {
        return Stream.of(
                row(new StrataException.NotFound("volume 'v1' does not exist"), Code.NOT_FOUND),
                row(new StrataException.AlreadyExists("snapshot 's1' exists with another source volume"), Code.ALREADY_EXISTS),
                row(new StrataException.InvalidArgument("invalid volume name '../x'"), Code.INVALID_ARGUMENT),
                row(new StrataException.FailedPrecondition("volume 'v1' has snapshots"), Code.FAILED_PRECONDITION),
                row(new StrataException.OutOfRange("cannot shrink volume 'v1' from 2Gi to 1Gi"), Code.OUT_OF_RANGE),
                row(new StrataException.ResourceExhausted("no space left for volume 'v1'"), Code.RESOURCE_EXHAUSTED),
                row(new StrataException.Unavailable("backup volume 'v1' is locked by another backup"), Code.UNAVAILABLE),
                row(new StrataException.Corrupt("block 3f2a... fails its checksum"), Code.DATA_LOSS),
                row(new StrataException.Internal("cannot write layer file", new IOException("EIO")), Code.INTERNAL),
                row(new StrataException.Internal("cannot list the backup target",
                        new IOException("wrapped", new ConnectException("Connection refused"))), Code.UNAVAILABLE));
    }

    private static Arguments row(StrataException e, Code code) {
        return Arguments.of(Named.of(e.getClass().getSimpleName() + ": " + e.getMessage(), e), code);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("domainErrors")
    void mapsEachDomainErrorToItsCodeKeepingTheMessage(StrataException error, Code code) {
        Status status = GrpcErrors.toStatus(error);

        assertThat(status.getCode()).isEqualTo(code);
        assertThat(status.getDescription()).isEqualTo(error.getMessage());
        assertThat(status.getCause()).isSameAs(error);
    }

    static Stream<Arguments> otherErrors() {
        return Stream.of(
                Arguments.of(Named.of("plain IOException", new IOException("disk says " + SECRET)),
                        Code.INTERNAL, "internal error (IOException); the plugin's log has the details"),
                Arguments.of(Named.of("missing file", new NoSuchFileException("/data/" + SECRET)),
                        Code.INTERNAL, "internal error (NoSuchFileException); the plugin's log has the details"),
                Arguments.of(Named.of("unchecked IOException", new UncheckedIOException(new IOException(SECRET))),
                        Code.INTERNAL, "internal error (UncheckedIOException); the plugin's log has the details"),
                Arguments.of(Named.of("runtime bug", new IllegalStateException("token=" + SECRET)),
                        Code.INTERNAL, "internal error (IllegalStateException); the plugin's log has the details"),
                Arguments.of(Named.of("a full disk", new UncheckedIOException(new IOException("No space left on device"))),
                        Code.RESOURCE_EXHAUSTED, io.strata.domain.DiskFull.ADVICE),
                Arguments.of(Named.of("connection refused", new ConnectException("Connection refused " + SECRET)),
                        Code.UNAVAILABLE, unreachable("ConnectException")),
                Arguments.of(Named.of("timeout deep in a chain", new RuntimeException("s3 call failed " + SECRET,
                                new IOException("read", new SocketTimeoutException("Read timed out")))),
                        Code.UNAVAILABLE, unreachable("SocketTimeoutException")),
                Arguments.of(Named.of("unknown host", new IOException("x", new UnknownHostException("s3.example"))),
                        Code.UNAVAILABLE, unreachable("UnknownHostException")),
                Arguments.of(Named.of("no route", new NoRouteToHostException("No route to host")),
                        Code.UNAVAILABLE, unreachable("NoRouteToHostException")),
                Arguments.of(Named.of("JDK HTTP connect timeout", new HttpConnectTimeoutException("HTTP connect timed out")),
                        Code.UNAVAILABLE, unreachable("HttpConnectTimeoutException")),
                Arguments.of(Named.of("Apache connect timeout", new RuntimeException(new ConnectTimeoutException())),
                        Code.UNAVAILABLE, unreachable("ConnectTimeoutException")),
                Arguments.of(Named.of("Apache: server dropped the connection", new IOException("s3",
                                new NoHttpResponseException("The target server failed to respond"))),
                        Code.UNAVAILABLE, unreachable("NoHttpResponseException")),
                Arguments.of(Named.of("interrupted", new InterruptedException()),
                        Code.UNAVAILABLE, "interrupted: the plugin is shutting down; retry"),
                Arguments.of(Named.of("status passed through", Status.ABORTED.withDescription("busy").asRuntimeException()),
                        Code.ABORTED, "busy"),
                Arguments.of(Named.of("OK status is a bug", Status.OK.asRuntimeException()),
                        Code.INTERNAL, "internal error (StatusRuntimeException); the plugin's log has the details"),
                Arguments.of(Named.of("completion wrapper", new CompletionException(new StrataException.NotFound("gone"))),
                        Code.NOT_FOUND, "gone"),
                Arguments.of(Named.of("execution wrapper", new ExecutionException(new StrataException.Corrupt("bad"))),
                        Code.DATA_LOSS, "bad"));
    }

    private static String unreachable(String type) {
        return "the backup target is unreachable (" + type + "): check its address and the network, then retry";
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("otherErrors")
    void mapsOtherFailuresWithoutTheirText(Throwable error, Code code, String message) {
        Status status = GrpcErrors.toStatus(error);

        assertThat(status.getCode()).isEqualTo(code);
        assertThat(status.getDescription()).isEqualTo(message).doesNotContain(SECRET);
    }

    @Test
    void neverPutsAStackTraceInTheMessage() {
        Exception deep = new RuntimeException("outer", new IllegalArgumentException("inner"));

        String message = GrpcErrors.toStatus(deep).getDescription();

        assertThat(message).doesNotContain("\tat ", "\n", "inner", "outer");
    }

    @Test
    void survivesACycleInTheCauseChain() {
        IOException a = new IOException("a");
        IOException b = new IOException("b", a);
        a.initCause(b);

        assertThat(GrpcErrors.toStatus(a).getCode()).isEqualTo(Code.INTERNAL);
    }

    @Test
    void describesADomainErrorWithoutAMessage() {
        assertThat(GrpcErrors.toStatus(new StrataException.NotFound(null)).getDescription())
                .isEqualTo("NotFound (no details)");
    }

    @Test
    void toExceptionCarriesTheSameStatus() {
        assertThat(GrpcErrors.toException(new StrataException.OutOfRange("too big")).getStatus().getCode())
                .isEqualTo(Code.OUT_OF_RANGE);
    }

    /** Stands in for Apache HttpClient's class of the same name, which the S3 SDK throws. */
    private static final class ConnectTimeoutException extends InterruptedIOException {
        private static final long serialVersionUID = 1L;
    }

    /** Stands in for Apache HttpClient's class of the same name, which the S3 SDK throws. */
    private static final class NoHttpResponseException extends IOException {
        private static final long serialVersionUID = 1L;

        NoHttpResponseException(String message) {
            super(message);
        }
    }

    @Test
    void aUrlsPasswordInADomainMessageIsNotSentToTheCaller() {
        Status status = GrpcErrors.toStatus(new StrataException.Unavailable("cannot reach http://user:secretpw@10.0.0.5:9000: retry"));
        assertThat(status.getCode()).isEqualTo(Code.UNAVAILABLE);
        assertThat(status.getDescription()).isEqualTo("cannot reach http://user:***@10.0.0.5:9000: retry");
    }

    static Stream<Arguments> hints() {
        return Stream.of(
                Arguments.of(new io.strata.domain.Hint.ListVolumes(), "list the volumes"),
                Arguments.of(new io.strata.domain.Hint.ListSnapshots(io.strata.domain.VolumeName.of("db")), "snapshots of volume 'db'"),
                Arguments.of(new io.strata.domain.Hint.ListBackupVolumes("file:///b"), "backup volumes of file:///b"),
                Arguments.of(new io.strata.domain.Hint.ListBackups("file:///b", "db"), "backups of 'db' in file:///b"),
                Arguments.of(new io.strata.domain.Hint.ListJobs(), "list the jobs"));
    }

    /** CSI has no command or endpoint to offer: a hint is said in plain words, never another tool's. */
    @ParameterizedTest
    @MethodSource("hints")
    void aHintIsSaidInPlainWordsNeverAsACommandOrEndpoint(io.strata.domain.Hint hint, String words) {
        Status status = GrpcErrors.toStatus(new StrataException.NotFound("volume 'db' does not exist").withHint(hint));
        assertThat(status.getCode()).isEqualTo(Code.NOT_FOUND);
        assertThat(status.getDescription()).startsWith("volume 'db' does not exist: ").contains(words)
                .doesNotContain("/api/v1", "GET ", "strata ");
    }
}
