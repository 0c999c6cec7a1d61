package io.strata.nbd.protocol;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * A transmission reply message: a simple reply (the only kind before structured replies are
 * negotiated) or one chunk of a structured reply, the last of which is marked done.
 */
public sealed interface Reply {
    long handle();

    /** Reply types of structured chunks. */
    int TYPE_NONE = 0;
    int TYPE_OFFSET_DATA = 1;
    int TYPE_OFFSET_HOLE = 2;
    int TYPE_BLOCK_STATUS = 5;
    int TYPE_ERROR = (1 << 15) + 1;
    int TYPE_ERROR_OFFSET = (1 << 15) + 2;

    /** Success; {@code data} (position to limit) follows for a READ, else it is empty. */
    record SimpleOk(long handle, ByteBuffer data) implements Reply {
        public SimpleOk(long handle) {
            this(handle, ByteBuffer.allocate(0));
        }
    }

    /** Failure, without data even for a READ. */
    record SimpleError(long handle, NbdError error) implements Reply {}

    /** The one chunk of a structured reply that carries nothing: success. */
    record Done(long handle) implements Reply {}

    /** Read data at {@code offset}. */
    record OffsetData(long handle, boolean done, long offset, ByteBuffer data) implements Reply {}

    /** Reads as {@code length} zero bytes at {@code offset}. */
    record OffsetHole(long handle, boolean done, long offset, int length) implements Reply {}

    /** Extents of one metadata context, consecutive from the request's offset. */
    record BlockStatus(long handle, boolean done, int contextId, List<BlockDescriptor> extents) implements Reply {
        public BlockStatus {
            extents = List.copyOf(extents);
        }
    }

    /** The request failed; the message is for a person (at most {@link Protocol#MAX_STRING} bytes are sent). */
    record Error(long handle, boolean done, NbdError error, String message) implements Reply {}
}
