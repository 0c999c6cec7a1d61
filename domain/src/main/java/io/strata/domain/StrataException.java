package io.strata.domain;

import java.util.Objects;
import java.util.Optional;

/**
 * The domain's error vocabulary. Every failure a caller can act on is one of these kinds; the CSI
 * layer maps them to gRPC codes, the REST layer to HTTP status and the CLI to its exit line, each in
 * one place. Messages say what failed, why, and what to do, in words that hold on every surface:
 * never a CLI command nor a REST endpoint. Where the way forward is a tool's own (list the volumes:
 * {@code strata volume ls} or {@code GET /api/v1/volumes}), the error carries a {@link Hint} that
 * each surface's renderer words in its own language.
 */
public abstract sealed class StrataException extends RuntimeException {

    /** Set once, by the thrower, before the error is thrown; read by the surfaces' renderers. */
    private volatile Hint hint;

    private StrataException(String message, Throwable cause) {
        super(message, cause);
    }

    /** What to do next, for each surface to say in its own words; empty when the message says it all. */
    public final Optional<Hint> hint() {
        return Optional.ofNullable(hint);
    }

    /**
     * This error with {@code hint}: {@code throw new NotFound("volume 'db' does not exist").withHint(new Hint.ListVolumes())}.
     *
     * @return this error, as the type the caller throws
     */
    @SuppressWarnings("unchecked")
    public final <E extends StrataException> E withHint(Hint hint) {
        this.hint = Objects.requireNonNull(hint, "hint");
        return (E) this;
    }

    /** The named volume, snapshot or backup does not exist. */
    public static final class NotFound extends StrataException {
        public NotFound(String message) {
            super(message, null);
        }
    }

    /** Something with that name exists already (and differs from what was asked for). */
    public static final class AlreadyExists extends StrataException {
        public AlreadyExists(String message) {
            super(message, null);
        }
    }

    /** The request itself is malformed: a bad name, size, range or parameter. */
    public static final class InvalidArgument extends StrataException {
        public InvalidArgument(String message) {
            super(message, null);
        }
    }

    /** The request is well formed but the system is not in a state to honour it. */
    public static final class FailedPrecondition extends StrataException {
        public FailedPrecondition(String message) {
            super(message, null);
        }
    }

    /** A size or offset is outside what is allowed (e.g. shrinking a volume). */
    public static final class OutOfRange extends StrataException {
        public OutOfRange(String message) {
            super(message, null);
        }
    }

    /** A limit was reached: too many snapshots, no space left. */
    public static final class ResourceExhausted extends StrataException {
        public ResourceExhausted(String message, Throwable cause) {
            super(message, cause);
        }

        public ResourceExhausted(String message) {
            this(message, null);
        }
    }

    /** A transient condition: worth retrying later. */
    public static final class Unavailable extends StrataException {
        public Unavailable(String message, Throwable cause) {
            super(message, cause);
        }

        public Unavailable(String message) {
            this(message, null);
        }
    }

    /** Stored data or metadata failed its checks: it is refused rather than returned as garbage. */
    public static final class Corrupt extends StrataException {
        public Corrupt(String message, Throwable cause) {
            super(message, cause);
        }

        public Corrupt(String message) {
            this(message, null);
        }
    }

    /** An I/O or other unexpected failure below the domain; the cause says more. */
    public static final class Internal extends StrataException {
        public Internal(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
