package io.strata.nbd.protocol;

import java.nio.ByteBuffer;

/**
 * A transmission request, decoded and checked for well-formed flags. Lengths of commands without
 * a payload are unsigned 32-bit values held in a {@code long}. Ranges are not checked against the
 * export's size here: the codec does not know it.
 */
public sealed interface Request {
    /** The client's tag, echoed in every reply to this request. */
    long handle();

    /** Command numbers. */
    int READ = 0;
    int WRITE = 1;
    int DISC = 2;
    int FLUSH = 3;
    int TRIM = 4;
    int CACHE = 5;
    int WRITE_ZEROES = 6;
    int BLOCK_STATUS = 7;

    /** Reads {@code length} bytes; with {@code dontFragment} the data comes back in one chunk. */
    record Read(long handle, long offset, int length, boolean fua, boolean dontFragment) implements Request {}

    /**
     * Writes {@code data} (position to limit); with {@code fua} the reply waits until it is durable.
     * The buffer may be a view of the decoder's input: use it before that input is reused.
     */
    record Write(long handle, long offset, ByteBuffer data, boolean fua) implements Request {
        public int length() {
            return data.remaining();
        }
    }

    /** Ends the session once every earlier request has been answered; never answered itself. */
    record Disconnect(long handle) implements Request {}

    /** Makes every write answered before it durable. */
    record Flush(long handle) implements Request {}

    /** Discards a range: it may read as anything afterwards, but we make it read as zeroes. */
    record Trim(long handle, long offset, long length, boolean fua) implements Request {}

    /** A hint to bring a range into cache. */
    record Cache(long handle, long offset, long length) implements Request {}

    /** Makes a range read as zeroes; {@code noHole}: keep it allocated; {@code fastZero}: fail rather than be slow. */
    record WriteZeroes(long handle, long offset, long length, boolean fua, boolean noHole, boolean fastZero)
            implements Request {}

    /** Asks for metadata (allocation) over a range; {@code requestOne}: one extent per context. */
    record BlockStatus(long handle, long offset, long length, boolean requestOne) implements Request {}

    /**
     * A well-framed request of a known command whose fields are not valid (an unknown flag, a flag
     * not allowed for the command): answered with {@code EINVAL}, the session goes on.
     */
    record Invalid(long handle, int command, String reason) implements Request {}
}
