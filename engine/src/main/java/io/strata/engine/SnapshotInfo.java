package io.strata.engine;

import io.strata.domain.SnapshotName;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * What is known of one snapshot.
 *
 * @param size        the volume's size when the snapshot was taken
 * @param userCreated false for snapshots the system took for itself (e.g. for a clone of the head)
 * @param parent      the nearest older snapshot in this snapshot's chain, if any
 */
public record SnapshotInfo(SnapshotName name, Instant created, long size, Map<String, String> labels,
                           boolean userCreated, Optional<SnapshotName> parent) {
    public SnapshotInfo {
        labels = Map.copyOf(labels);
    }
}
