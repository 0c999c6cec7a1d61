package io.strata.engine;

import io.strata.domain.StrataException;
import io.strata.engine.VolumeMeta.LayerRecord;
import io.strata.engine.storage.Storage;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A volume's directory: its committed metadata and its open layers. Every change to the volume's
 * shape passes through here in one order: new layer files are made durable first
 * ({@link #prepare}), then the metadata is committed ({@link #commit}), then what is no longer
 * named is deleted ({@link #delete}); {@link #removeOrphans} clears what a crash left between.
 *
 * <p>Not thread-safe: {@link Volume} changes it under its operation lock, and with I/O excluded
 * where the data path could see the change.
 */
final class LayerFiles {
    private final Storage storage;
    private final Path dir;
    private volatile VolumeMeta meta;
    private final Map<Integer, Layer> layers = new HashMap<>();

    private LayerFiles(Storage storage, Path dir, VolumeMeta meta) {
        this.storage = storage;
        this.dir = dir;
        this.meta = meta;
    }

    /** Reads the metadata and opens every layer it names, giving them slots from 1 in order. */
    static LayerFiles open(Storage storage, Path dir) throws IOException {
        storage.delete(dir.resolve(MetaFile.TEMP));
        LayerFiles files = new LayerFiles(storage, dir, MetaFile.read(storage, dir));
        try {
            int slot = 1;
            for (LayerRecord record : files.meta.layers()) {
                files.layers.put(record.id(), files.openLayer(record, slot++));
            }
        } catch (IOException | RuntimeException e) {
            files.closeAll();
            throw e;
        }
        return files;
    }

    private Layer openLayer(LayerRecord record, int slot) throws IOException {
        try {
            return Layer.open(storage, dir, record.id(), slot, record.size() / Layout.BLOCK);
        } catch (NoSuchFileException e) {
            throw new StrataException.Corrupt("volume '" + meta.name() + "' is damaged: its metadata names "
                    + e.getFile() + ", which is missing; restore the volume from a backup", e);
        }
    }

    VolumeMeta meta() {
        return meta;
    }

    Layer layer(int id) {
        return layers.get(id);
    }

    /** Slot table of every open layer. */
    Layer[] slots() {
        Layer[] slots = new Layer[256];
        for (Layer layer : layers.values()) {
            slots[layer.slot()] = layer;
        }
        return slots;
    }

    /** The layers from the root up to {@code topId}, oldest first. */
    List<Layer> chainOldestFirst(int topId) {
        List<Layer> chain = new ArrayList<>();
        for (LayerRecord record : meta.chain(topId)) {
            chain.addFirst(layers.get(record.id()));
        }
        return chain;
    }

    long allocatedBytes() {
        long allocated = 0;
        for (Layer layer : layers.values()) {
            allocated += layer.map().dataBlocks() * Layout.BLOCK;
        }
        return allocated;
    }

    /** Checks that the volume's files may grow to hold {@code size} bytes of volume; see {@link FileSizeLimit}. */
    void requireRoomFor(long size) throws IOException {
        FileSizeLimit.require(storage, dir, meta.name(), size);
    }

    /**
     * Deletes layer files the metadata does not name: what a crashed operation made or meant to
     * delete; and a size probe a crash left.
     */
    void removeOrphans() throws IOException {
        boolean removed = false;
        for (String file : storage.list(dir)) {
            int id = Layer.idOf(file);
            if ((id > 0 && !layers.containsKey(id)) || file.equals(Storage.SIZE_PROBE)) {
                storage.delete(dir.resolve(file));
                removed = true;
            }
        }
        if (removed) {
            storage.syncDirectory(dir);
        }
    }

    /** Creates the files of the next layer, durable, before the commit that makes it part of the volume. */
    Layer prepare(int slot, long size) throws IOException {
        Layer layer = Layer.create(storage, dir, meta.nextLayerId(), slot, size / Layout.BLOCK);
        storage.syncDirectory(dir);
        return layer;
    }

    /** Commits metadata that names a {@link #prepare prepared} layer, which joins the open layers; on failure it is deleted. */
    void commitWith(VolumeMeta next, Layer prepared) throws IOException {
        try {
            commit(next);
        } catch (IOException | RuntimeException e) {
            prepared.delete(storage);
            throw e;
        }
        layers.put(prepared.id(), prepared);
    }

    void commit(VolumeMeta next) throws IOException {
        MetaFile.commit(storage, dir, next);
        meta = next;
    }

    /** Forgets a layer the committed metadata no longer names. Its files stay until {@link #delete}. */
    void forget(Layer layer) {
        layers.remove(layer.id());
    }

    /** Deletes the files of a forgotten layer. */
    void delete(Layer layer) throws IOException {
        layer.delete(storage);
        storage.syncDirectory(dir);
    }

    void closeAll() {
        layers.values().forEach(Layer::close);
    }
}
