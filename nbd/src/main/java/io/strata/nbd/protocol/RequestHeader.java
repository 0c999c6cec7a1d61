package io.strata.nbd.protocol;

/**
 * The fixed 28 bytes of a request, checked for magic, command and payload size. {@code length} is
 * unsigned; for WRITE it is the number of payload bytes that follow.
 */
public record RequestHeader(int flags, int command, long handle, long offset, long length) {
    /** Bytes of payload following the header. */
    public int payloadLength() {
        return command == Request.WRITE ? (int) length : 0;
    }
}
