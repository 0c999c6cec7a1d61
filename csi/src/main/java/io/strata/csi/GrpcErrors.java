package io.strata.csi;

import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.strata.domain.DiskFull;
import io.strata.domain.Redaction;
import io.strata.domain.StrataException;
import io.strata.domain.Unreachable;
import java.io.IOException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * The one place where a failure becomes a gRPC status. Every CSI service answers errors through
 * here ({@link Rpc#unary} and {@link ErrorMappingInterceptor} both call it), so a domain error has
 * the same code whichever RPC raised it, and tests can pin each code down.
 *
 * <p>What a CO does with the code matters more than its name: the Kubernetes sidecars retry
 * {@code UNAVAILABLE}, {@code RESOURCE_EXHAUSTED}, {@code ABORTED}, {@code DEADLINE_EXCEEDED} and
 * {@code CANCELLED} as transient, and treat every other code as a final answer for that request.
 *
 * <p>Messages: a {@link StrataException} message is written by us to say what failed and what to do,
 * and is passed on unchanged. Any other exception's message is third-party text that may quote a URL,
 * a header or a credential, so it never reaches the status: the status names only the exception type,
 * and the full exception stays on the status as its cause, which gRPC never sends to the client but
 * the plugin's own log shows. Stack traces are never put in a status message.
 */
public final class GrpcErrors {

    private GrpcErrors() {}

    /** The status to answer with for {@code error}. Never returns {@code OK}. */
    public static Status toStatus(Throwable error) {
        Throwable failure = unwrap(error);
        return switch (failure) {
            case StatusRuntimeException e -> notOk(e.getStatus(), e);
            case StatusException e -> notOk(e.getStatus(), e);
            case StrataException e -> fromDomain(e);
            // A handler is interrupted when the server stops under it: the call may succeed elsewhere or
            // later, so the CO should retry rather than give up.
            case InterruptedException e -> Status.UNAVAILABLE
                    .withDescription("interrupted: the plugin is shutting down; retry").withCause(e);
            default -> fromUnexpected(failure);
        };
    }

    /** {@link #toStatus} as the exception a {@code StreamObserver.onError} expects. */
    public static StatusRuntimeException toException(Throwable error) {
        return toStatus(error).asRuntimeException();
    }

    /** An exception carrying OK is a bug in its thrower; the client must not read it as success. */
    private static Status notOk(Status status, Throwable e) {
        return status.isOk() ? fromUnexpected(e) : status;
    }

    private static Status fromDomain(StrataException e) {
        Status status = switch (e) {
            case StrataException.NotFound _ -> Status.NOT_FOUND;
            case StrataException.AlreadyExists _ -> Status.ALREADY_EXISTS;
            case StrataException.InvalidArgument _ -> Status.INVALID_ARGUMENT;
            case StrataException.FailedPrecondition _ -> Status.FAILED_PRECONDITION;
            case StrataException.OutOfRange _ -> Status.OUT_OF_RANGE;
            case StrataException.ResourceExhausted _ -> Status.RESOURCE_EXHAUSTED;
            case StrataException.Unavailable _ -> Status.UNAVAILABLE;
            // DATA_LOSS rather than INTERNAL: both are final for the sidecars, which is right because
            // retrying will not mend a block whose checksum is wrong; DATA_LOSS says exactly that
            // stored data failed its checks, so an operator can alert on it apart from plain bugs.
            case StrataException.Corrupt _ -> Status.DATA_LOSS;
            // The domain wraps I/O failures it cannot classify; an unreachable backup target below
            // one is still transient.
            case StrataException.Internal internal -> Unreachable.cause(internal).isPresent() ? Status.UNAVAILABLE
                    : DiskFull.causes(internal) ? Status.RESOURCE_EXHAUSTED : Status.INTERNAL;
        };
        String message = Redaction.text(e.getMessage());
        // CSI has no command or endpoint to offer: a hint is said in plain words
        String hint = e.hint().map(h -> ": " + Redaction.text(h.plain())).orElse("");
        return status.withDescription((message == null || message.isBlank() ? kindOf(e) : message) + hint).withCause(e);
    }

    private static Status fromUnexpected(Throwable failure) {
        Throwable unreachable = Unreachable.cause(failure).orElse(null);
        if (unreachable != null) {
            return Status.UNAVAILABLE.withDescription("the backup target is unreachable ("
                    + unreachable.getClass().getSimpleName() + "): check its address and the network, then retry")
                    .withCause(failure);
        }
        if (DiskFull.causes(failure)) {
            return Status.RESOURCE_EXHAUSTED.withDescription(DiskFull.ADVICE).withCause(failure);
        }
        return Status.INTERNAL.withDescription("internal error (" + failure.getClass().getSimpleName()
                + "); the plugin's log has the details").withCause(failure);
    }

    /** Async wrappers say nothing about the failure; what they wrap does. */
    private static Throwable unwrap(Throwable error) {
        Throwable t = error;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static String kindOf(StrataException e) {
        return e.getClass().getSimpleName() + " (no details)";
    }
}
