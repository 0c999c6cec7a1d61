package io.strata.nbd;

import io.strata.engine.BlockDevice;
import io.strata.engine.Extent;
import java.io.IOException;
import java.util.List;

/**
 * One client's lease on an export, from {@link Exports#open} until {@link #close()}, which the
 * server calls once when the connection that opened it ends (or at once, for a mere INFO).
 *
 * <p>Contract, for every implementation:
 * <ul>
 *   <li>Several connections may hold leases on one name at once, and the server tells clients so
 *       ({@code NBD_FLAG_CAN_MULTI_CONN}). Their devices must share one cache: a write that returned
 *       on one lease is read by every other, and {@link BlockDevice#flush()} on any lease makes
 *       durable every write that returned on any lease before the flush began.</li>
 *   <li>The device's methods may be called from many threads at once.</li>
 *   <li>A read-only export is never written: the server refuses writes with {@code EPERM}
 *       before they reach the device.</li>
 *   <li>{@link #allocated} may be a moment's view, but it must never leave out a range that
 *       holds data: a range it leaves out is reported to clients as a hole that reads as zeroes,
 *       and copy tools skip it.</li>
 * </ul>
 */
public interface Export extends AutoCloseable {

    /** The name the client asked for. */
    String name();

    /** The bytes served; its size is read once, when the client enters transmission. */
    BlockDevice device();

    boolean readOnly();

    /** A description for people, sent on request. */
    default String description() {
        return name();
    }

    /**
     * The ranges that hold data and overlap {@code [offset, offset + length)} (a range of the
     * device), sorted and not overlapping; everything else there reads as zeroes and takes no space.
     * Ranges may reach beyond the window. Asked once per block status request, so its cost should
     * follow the window, not the device.
     */
    List<Extent> allocated(long offset, long length) throws IOException;

    /** Gives back what the lease holds (e.g. a snapshot reader). Called once. */
    @Override
    void close() throws IOException;
}
