package io.strata.server.cli;

import io.strata.domain.StrataException;

/** The exit status of {@code strata}, one per kind of failure a script may want to tell apart. */
enum ExitCode {
    OK(0),
    /** I/O errors, internal errors and anything unexpected. */
    FAILURE(1),
    /** Bad command line, name, size or other argument. */
    USAGE(2),
    NOT_FOUND(3),
    ALREADY_EXISTS(4),
    /** The request is valid but not now or not here: e.g. shrinking, or a range past the end. */
    FAILED_PRECONDITION(5),
    /** Transient, e.g. another process holds the data directory: retry later. */
    UNAVAILABLE(6),
    RESOURCE_EXHAUSTED(7),
    CORRUPT(8);

    final int status;

    ExitCode(int status) {
        this.status = status;
    }

    static ExitCode of(StrataException e) {
        return switch (e) {
            case StrataException.InvalidArgument ignored -> USAGE;
            case StrataException.NotFound ignored -> NOT_FOUND;
            case StrataException.AlreadyExists ignored -> ALREADY_EXISTS;
            case StrataException.FailedPrecondition ignored -> FAILED_PRECONDITION;
            case StrataException.OutOfRange ignored -> FAILED_PRECONDITION;
            case StrataException.Unavailable ignored -> UNAVAILABLE;
            case StrataException.ResourceExhausted ignored -> RESOURCE_EXHAUSTED;
            case StrataException.Corrupt ignored -> CORRUPT;
            case StrataException.Internal ignored -> FAILURE;
        };
    }
}
