package io.strata.control.cluster;

import java.time.Instant;
import java.util.Objects;

/**
 * Who holds the controller role until when. {@code token} is the fencing token: it grows by one
 * each time the lease changes holder (never on a renewal), so whoever accepts orders can refuse
 * those carrying a token lower than the highest it has seen: a deposed controller's.
 */
public record Lease(NodeId holder, long token, Instant expires) {
    public Lease {
        Objects.requireNonNull(holder, "holder");
        Objects.requireNonNull(expires, "expires");
        if (token < 1) {
            throw new IllegalArgumentException("fencing token " + token + " is below 1");
        }
    }

    /** Whether the lease still holds at {@code now}; it lapses at {@code expires} itself. */
    public boolean heldAt(Instant now) {
        return now.isBefore(expires);
    }
}
