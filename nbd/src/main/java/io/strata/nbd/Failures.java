package io.strata.nbd;

import io.strata.domain.DiskFull;
import io.strata.domain.StrataException;
import io.strata.nbd.protocol.NbdError;
import java.io.IOException;

/** The one place where failures of a device call become NBD error values. */
final class Failures {
    private Failures() {}

    static NbdError errorOf(Throwable failure) {
        return switch (failure) {
            case StrataException.OutOfRange _, StrataException.InvalidArgument _ -> NbdError.EINVAL;
            case StrataException.ResourceExhausted _ -> NbdError.ENOSPC;
            case StrataException.Unavailable _ -> NbdError.ESHUTDOWN;
            case IOException e when DiskFull.causes(e) -> NbdError.ENOSPC;
            default -> NbdError.EIO;
        };
    }

    /** A short message for the client's error chunk: what failed and why. */
    static String describe(Throwable failure) {
        String message = failure.getMessage();
        return message == null ? failure.getClass().getSimpleName() : message;
    }
}
