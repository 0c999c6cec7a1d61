package io.strata.nbd.protocol;

import java.util.Optional;

/** What an {@code NBD_OPT_INFO} or {@code NBD_OPT_GO} may ask to be told about an export. */
public enum InfoType {
    /** Size and transmission flags: always sent. */
    EXPORT(0),
    NAME(1),
    DESCRIPTION(2),
    /** Minimum, preferred and maximum block sizes. */
    BLOCK_SIZE(3);

    private final int code;

    InfoType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The type with this code; empty for codes we do not know, which a server ignores. */
    public static Optional<InfoType> of(int code) {
        for (InfoType type : values()) {
            if (type.code == code) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }
}
