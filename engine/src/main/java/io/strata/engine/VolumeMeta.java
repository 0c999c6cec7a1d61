package io.strata.engine;

import io.strata.domain.Hint;
import io.strata.domain.SnapshotName;
import io.strata.domain.StrataException;
import io.strata.domain.VolumeName;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * A volume's metadata: its size, its layer tree and which layers are named snapshots. Immutable:
 * every change makes a new value, which {@link MetaFile} commits atomically before it takes effect.
 *
 * @param headId      the writable layer
 * @param nextLayerId the id the next new layer gets (ids are never reused)
 * @param layers      every layer, in creation order
 */
record VolumeMeta(VolumeName name, long size, Instant created, int nextLayerId, int headId, List<LayerRecord> layers) {

    VolumeMeta {
        layers = List.copyOf(layers);
    }

    /**
     * One layer.
     *
     * @param parentId 0 for a root layer
     * @param size     the volume's size when the layer stopped being the head (the head: the current size)
     * @param snapshot the snapshot this layer is, or null for the head and for hidden layers awaiting merge
     */
    record LayerRecord(int id, int parentId, long size, SnapshotRecord snapshot) {
        LayerRecord withParent(int parent) {
            return new LayerRecord(id, parent, size, snapshot);
        }

        LayerRecord withSnapshot(SnapshotRecord record) {
            return new LayerRecord(id, parentId, size, record);
        }

        LayerRecord withSize(long newSize) {
            return new LayerRecord(id, parentId, newSize, snapshot);
        }
    }

    record SnapshotRecord(SnapshotName name, Instant created, Map<String, String> labels, boolean userCreated) {
        SnapshotRecord {
            labels = Map.copyOf(labels);
        }
    }

    LayerRecord layer(int id) {
        for (LayerRecord layer : layers) {
            if (layer.id() == id) {
                return layer;
            }
        }
        throw new IllegalStateException("volume " + name + " has no layer " + id);
    }

    LayerRecord head() {
        return layer(headId);
    }

    Optional<LayerRecord> snapshotLayer(SnapshotName snapshot) {
        for (LayerRecord layer : layers) {
            if (layer.snapshot() != null && layer.snapshot().name().equals(snapshot)) {
                return Optional.of(layer);
            }
        }
        return Optional.empty();
    }

    /** The layer that is snapshot {@code snapshot}, or NotFound naming it. */
    LayerRecord requireSnapshot(SnapshotName snapshot) {
        return snapshotLayer(snapshot).orElseThrow(() -> new StrataException.NotFound(
                "snapshot '" + snapshot + "' of volume '" + name + "' does not exist").withHint(new Hint.ListSnapshots(name)));
    }

    /** What the API tells of the snapshot a layer is. */
    SnapshotInfo snapshotInfo(LayerRecord layer) {
        SnapshotRecord s = layer.snapshot();
        return new SnapshotInfo(s.name(), s.created(), layer.size(), s.labels(), s.userCreated(), namedParent(layer.id()));
    }

    List<LayerRecord> children(int id) {
        List<LayerRecord> children = new ArrayList<>();
        for (LayerRecord layer : layers) {
            if (layer.parentId() == id) {
                children.add(layer);
            }
        }
        return children;
    }

    /** The chain from {@code id} down to its root, newest first. */
    List<LayerRecord> chain(int id) {
        List<LayerRecord> chain = new ArrayList<>();
        for (int at = id; at != 0; at = layer(at).parentId()) {
            chain.add(layer(at));
        }
        return chain;
    }

    /** The nearest ancestor of {@code id} (excluded) that is a named snapshot. */
    Optional<SnapshotName> namedParent(int id) {
        for (int at = layer(id).parentId(); at != 0; at = layer(at).parentId()) {
            SnapshotRecord snapshot = layer(at).snapshot();
            if (snapshot != null) {
                return Optional.of(snapshot.name());
            }
        }
        return Optional.empty();
    }

    int snapshotCount() {
        int n = 0;
        for (LayerRecord layer : layers) {
            if (layer.snapshot() != null) {
                n++;
            }
        }
        return n;
    }

    VolumeMeta withLayers(List<LayerRecord> newLayers, int newHead, int newNext) {
        return new VolumeMeta(name, size, created, newNext, newHead, newLayers);
    }

    VolumeMeta withSize(long newSize) {
        return new VolumeMeta(name, newSize, created, nextLayerId, headId, layers);
    }

    /** A copy with one layer replaced by {@code change} of it. */
    VolumeMeta mapLayer(int id, UnaryOperator<LayerRecord> change) {
        List<LayerRecord> changed = new ArrayList<>(layers.size());
        for (LayerRecord layer : layers) {
            changed.add(layer.id() == id ? change.apply(layer) : layer);
        }
        return new VolumeMeta(name, size, created, nextLayerId, headId, changed);
    }

    /** A copy without layer {@code id}. */
    VolumeMeta withoutLayer(int id) {
        List<LayerRecord> remaining = new ArrayList<>(layers.size());
        for (LayerRecord layer : layers) {
            if (layer.id() != id) {
                remaining.add(layer);
            }
        }
        return new VolumeMeta(name, size, created, nextLayerId, headId, remaining);
    }
}
