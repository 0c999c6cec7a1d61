package io.strata.nbd;

/**
 * What a handshake settled: the export, its size and flags as sent to the client, and whether
 * structured replies and the {@code base:allocation} context were negotiated.
 */
record Session(Export export, long size, int transmissionFlags, boolean structured, boolean baseAllocation) {
    /** The id we give the {@code base:allocation} context. */
    static final int BASE_ALLOCATION_ID = 1;
}
