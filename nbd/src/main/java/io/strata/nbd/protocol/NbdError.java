package io.strata.nbd.protocol;

/** The error values a reply may carry: the protocol's subset of Linux errno numbers. */
public enum NbdError {
    /** Not permitted: a write to a read-only export. */
    EPERM(1),
    EIO(5),
    ENOMEM(12),
    /** A malformed request: out of range, bad flags, zero length. */
    EINVAL(22),
    ENOSPC(28),
    EOVERFLOW(75),
    ENOTSUP(95),
    /** The server is stopping: the client should disconnect. */
    ESHUTDOWN(108);

    private final int code;

    NbdError(int code) {
        this.code = code;
    }

    /** The value on the wire. */
    public int code() {
        return code;
    }

    /** The error of a wire value; a value outside the protocol's subset reads as {@link #EIO}, as the spec tells clients to. */
    public static NbdError of(int code) {
        for (NbdError error : values()) {
            if (error.code == code) {
                return error;
            }
        }
        return EIO;
    }
}
