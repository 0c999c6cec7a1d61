package io.strata.nbd.protocol;

/** Wire numbers of the NBD protocol: magics and flag bits. Closed sets of codes are the enums and sealed types beside this class. */
public final class Protocol {
    private Protocol() {}

    /** "NBDMAGIC": the first eight bytes a server sends. */
    public static final long NBD_MAGIC = 0x4e42444d41474943L;
    /** "IHAVEOPT": follows {@link #NBD_MAGIC} in the greeting and starts every option. */
    public static final long OPTION_MAGIC = 0x49484156454f5054L;
    /** Starts every option reply. */
    public static final long OPTION_REPLY_MAGIC = 0x3e889045565a9L;
    public static final int REQUEST_MAGIC = 0x25609513;
    public static final int SIMPLE_REPLY_MAGIC = 0x67446698;
    public static final int STRUCTURED_REPLY_MAGIC = 0x668e33ef;

    // handshake flags (server) and client flags
    public static final int FLAG_FIXED_NEWSTYLE = 1;
    public static final int FLAG_NO_ZEROES = 1 << 1;
    public static final int CLIENT_FIXED_NEWSTYLE = 1;
    public static final int CLIENT_NO_ZEROES = 1 << 1;

    // transmission flags
    public static final int HAS_FLAGS = 1;
    public static final int READ_ONLY = 1 << 1;
    public static final int SEND_FLUSH = 1 << 2;
    public static final int SEND_FUA = 1 << 3;
    public static final int ROTATIONAL = 1 << 4;
    public static final int SEND_TRIM = 1 << 5;
    public static final int SEND_WRITE_ZEROES = 1 << 6;
    public static final int SEND_DF = 1 << 7;
    public static final int CAN_MULTI_CONN = 1 << 8;
    public static final int SEND_RESIZE = 1 << 9;
    public static final int SEND_CACHE = 1 << 10;
    public static final int SEND_FAST_ZERO = 1 << 11;

    // command flags
    public static final int CMD_FLAG_FUA = 1;
    public static final int CMD_FLAG_NO_HOLE = 1 << 1;
    public static final int CMD_FLAG_DF = 1 << 2;
    public static final int CMD_FLAG_REQ_ONE = 1 << 3;
    public static final int CMD_FLAG_FAST_ZERO = 1 << 4;

    /** Structured reply flag: this chunk is the last of its reply. */
    public static final int REPLY_FLAG_DONE = 1;

    // base:allocation states
    public static final int STATE_HOLE = 1;
    public static final int STATE_ZERO = 1 << 1;

    /** The one metadata context we offer. */
    public static final String BASE_ALLOCATION = "base:allocation";

    /**
     * The largest READ or WRITE payload: what we advertise as the maximum block size and the
     * protocol's default. A request asking for more is hostile or broken and ends its connection.
     */
    public static final int MAX_PAYLOAD = 32 << 20;
    /** The largest option data we read; names are at most 4096 bytes, so this leaves room for many. */
    public static final int MAX_OPTION_DATA = 64 << 10;
    /** The longest string (name, query, message) the protocol allows. */
    public static final int MAX_STRING = 4096;

    /** Bytes of a request header. */
    public static final int REQUEST_HEADER = 28;
    /** Bytes of a simple reply header. */
    public static final int SIMPLE_REPLY_HEADER = 16;
    /** Bytes of a structured reply chunk header. */
    public static final int CHUNK_HEADER = 20;
}
