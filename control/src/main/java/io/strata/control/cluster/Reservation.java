package io.strata.control.cluster;

import io.strata.domain.VolumeName;
import java.util.Objects;

/** A volume name held by one node while that node creates (and then keeps) the volume. */
public record Reservation(VolumeName volume, NodeId node) {
    public Reservation {
        Objects.requireNonNull(volume, "volume");
        Objects.requireNonNull(node, "node");
    }
}
