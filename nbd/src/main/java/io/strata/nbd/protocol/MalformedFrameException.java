package io.strata.nbd.protocol;

import java.io.IOException;

/**
 * Bytes that are not a frame of the protocol, or a frame no honest client sends (a bad magic, a
 * payload over {@link Protocol#MAX_PAYLOAD}, an unknown command): the stream cannot be trusted to
 * stay in step, so the connection ends. Nothing is changed on the export.
 */
public final class MalformedFrameException extends IOException {
    private static final long serialVersionUID = 1L;

    public MalformedFrameException(String message) {
        super(message);
    }
}
