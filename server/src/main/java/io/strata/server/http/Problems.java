package io.strata.server.http;

import io.strata.domain.DiskFull;
import io.strata.domain.Redaction;
import io.strata.domain.StrataException;
import io.strata.domain.Unreachable;
import java.io.UncheckedIOException;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where a failure becomes an HTTP answer: Strata's error vocabulary
 * ({@link StrataException}) and the exchange's own failures ({@link HttpProblem}) each map to one
 * status and {@link ProblemType}, so a kind of failure has the same answer on every path.
 *
 * <p>Messages: a {@link StrataException}'s message is written by Strata to say what failed and what
 * to do, and becomes the detail unchanged; its {@link io.strata.domain.Hint}, if any, is said in the
 * API's words ({@link RestHints}: an endpoint, never a CLI command) after it. Any other exception's
 * message is third-party text that may quote a URL, a header or a credential: the detail names only its type, and the whole
 * exception, stack trace included, goes to the server's log. No answer carries a stack trace.
 */
public final class Problems {
    private static final Logger LOG = LoggerFactory.getLogger(Problems.class);
    /** Seconds a client should wait before retrying a 503. */
    static final String RETRY_AFTER_SECONDS = "5";

    private Problems() {}

    /** The answer to {@code failure} for the request to {@code instance}: a problem and the headers it needs. */
    public record Answer(Problem problem, Map<String, String> headers) {}

    public static Answer answer(Throwable failure, String instance) {
        Throwable f = failure instanceof UncheckedIOException u && u.getCause() != null ? u.getCause() : failure;
        Answer answer = switch (f) {
            case HttpProblem p -> new Answer(Problem.of(p.type(), Redaction.text(p.getMessage()), instance), p.headers());
            case StrataException e -> fromDomain(e, instance);
            default -> fromUnexpected(f, instance);
        };
        if (answer.problem().status() == 503 && !answer.headers().containsKey("Retry-After")) {
            return new Answer(answer.problem(), Map.of("Retry-After", RETRY_AFTER_SECONDS));
        }
        return answer;
    }

    /** The problem type of a domain error. */
    public static ProblemType typeOf(StrataException e) {
        return switch (e) {
            case StrataException.NotFound _ -> ProblemType.NOT_FOUND;
            case StrataException.AlreadyExists _ -> ProblemType.ALREADY_EXISTS;
            case StrataException.InvalidArgument _ -> ProblemType.INVALID_ARGUMENT;
            case StrataException.FailedPrecondition _ -> ProblemType.FAILED_PRECONDITION;
            case StrataException.OutOfRange _ -> ProblemType.OUT_OF_RANGE;
            case StrataException.ResourceExhausted _ -> ProblemType.RESOURCE_EXHAUSTED;
            case StrataException.Unavailable _ -> ProblemType.UNAVAILABLE;
            case StrataException.Corrupt _ -> ProblemType.CORRUPT;
            // the domain wraps I/O failures it cannot classify; an unreachable backup target below one is still transient
            case StrataException.Internal internal -> Unreachable.cause(internal).isPresent() ? ProblemType.UNAVAILABLE
                    : DiskFull.causes(internal) ? ProblemType.RESOURCE_EXHAUSTED : ProblemType.INTERNAL;
        };
    }

    private static Answer fromDomain(StrataException e, String instance) {
        ProblemType type = typeOf(e);
        // a message may quote a URL someone gave, credentials and all
        String message = e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() + " (no details)"
                : Redaction.text(e.getMessage());
        String detail = switch (type) {
            case CORRUPT -> message + " (stored data failed its checks; Strata refuses it rather than return it)";
            default -> message;
        };
        if (type == ProblemType.INTERNAL || type == ProblemType.CORRUPT) {
            LOG.error("{} failed: {}", instance, message, e);
        }
        Problem problem = e.hint().map(hint -> Problem.of(type, detail, hint, instance))
                .orElseGet(() -> Problem.of(type, detail, instance));
        return new Answer(problem, Map.of());
    }

    private static Answer fromUnexpected(Throwable failure, String instance) {
        Throwable unreachable = Unreachable.cause(failure).orElse(null);
        if (unreachable != null) {
            LOG.warn("{} failed: the backup target is unreachable", instance, failure);
            return new Answer(Problem.of(ProblemType.UNAVAILABLE, "the backup target is unreachable (" + unreachable.getClass().getSimpleName()
                    + "): check its address and the network, then retry", instance), Map.of());
        }
        if (DiskFull.causes(failure)) {
            LOG.warn("{} failed: {}", instance, DiskFull.ADVICE);
            return new Answer(Problem.of(ProblemType.RESOURCE_EXHAUSTED, DiskFull.ADVICE, instance), Map.of());
        }
        LOG.error("{} failed", instance, failure);
        return new Answer(Problem.of(ProblemType.INTERNAL, "internal error (" + failure.getClass().getSimpleName()
                + "); the server's log has the details", instance), Map.of());
    }

}
