package io.strata.nbd.protocol;

/** Error replies to an option: bit 31 set, then a small number. */
public enum OptionError {
    /** The option is unknown to this server. */
    UNSUP(1),
    POLICY(2),
    /** The option is known but its data is malformed, or it came at the wrong moment. */
    INVALID(3),
    PLATFORM(4),
    TLS_REQD(5),
    /** The export named does not exist. */
    UNKNOWN(6),
    /** The server is stopping. */
    SHUTDOWN(7),
    BLOCK_SIZE_REQD(8),
    TOO_BIG(9);

    private final int code;

    OptionError(int code) {
        this.code = code;
    }

    /** The reply type on the wire. */
    public int code() {
        return 0x8000_0000 | code;
    }

    /** The error of a reply type with bit 31 set; empty for one this codec does not know. */
    public static java.util.Optional<OptionError> of(int type) {
        for (OptionError error : values()) {
            if (error.code() == type) {
                return java.util.Optional.of(error);
            }
        }
        return java.util.Optional.empty();
    }
}
