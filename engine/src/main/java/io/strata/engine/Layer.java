package io.strata.engine;

import io.strata.domain.StrataException;
import io.strata.engine.storage.Storage;
import io.strata.engine.storage.StorageFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * One layer of a volume: a sparse data file, where block {@code b} lives at
 * {@link Layout#DATA_OFFSET} {@code + b * 4096}, and a map file recording which blocks the layer holds. Both
 * files begin with a header naming the format and its version.
 *
 * <p>The map is kept in memory and written back by {@link #persistMap}, which first makes the data
 * durable, so that a map entry on disk never claims data that a crash could lose.
 */
final class Layer {
    static final String DATA_MAGIC = "strata-layer";
    static final String MAP_MAGIC = "strata-map";
    static final int FORMAT_VERSION = 1;

    private final int id;
    private final int slot;
    private final Path dataPath;
    private final Path mapPath;
    private final StorageFile data;
    private final StorageFile mapFile;
    private final BlockMap map;
    /** Readers of snapshots whose chain holds this layer; it is not merged away while positive. */
    private int leases;

    private Layer(int id, int slot, Path dataPath, Path mapPath, StorageFile data, StorageFile mapFile, BlockMap map) {
        this.id = id;
        this.slot = slot;
        this.dataPath = dataPath;
        this.mapPath = mapPath;
        this.data = data;
        this.mapFile = mapFile;
        this.map = map;
    }

    static Path dataPath(Path dir, int id) {
        return dir.resolve(String.format("layer-%06d.data", id));
    }

    static Path mapPath(Path dir, int id) {
        return dir.resolve(String.format("layer-%06d.map", id));
    }

    /** The id of a layer file name, or -1 when the name is not one of ours. */
    static int idOf(String fileName) {
        if (fileName.matches("layer-\\d{6}\\.(data|map)")) {
            return Integer.parseInt(fileName.substring(6, 12));
        }
        return -1;
    }

    /** Creates both files of an empty layer and makes them durable (the directory is not synced). */
    static Layer create(Storage storage, Path dir, int id, int slot, long blocks) throws IOException {
        Path dataPath = dataPath(dir, id);
        Path mapPath = mapPath(dir, id);
        StorageFile data = storage.open(dataPath, true);
        StorageFile mapFile = null;
        try {
            mapFile = storage.open(mapPath, true);
            data.writeFully(header(DATA_MAGIC, id), 0);
            mapFile.writeFully(header(MAP_MAGIC, id), 0);
            data.sync();
            mapFile.sync();
            return new Layer(id, slot, dataPath, mapPath, data, mapFile, new BlockMap(blocks));
        } catch (IOException | RuntimeException e) {
            closeQuietly(data);
            closeQuietly(mapFile);
            throw e;
        }
    }

    /** Opens an existing layer, checking both headers and loading its map. */
    static Layer open(Storage storage, Path dir, int id, int slot, long blocks) throws IOException {
        Path dataPath = dataPath(dir, id);
        Path mapPath = mapPath(dir, id);
        StorageFile data = storage.open(dataPath, false);
        StorageFile mapFile = null;
        try {
            mapFile = storage.open(mapPath, false);
            checkHeader(data, DATA_MAGIC, id, dataPath);
            checkHeader(mapFile, MAP_MAGIC, id, mapPath);
            BlockMap map = new BlockMap(blocks);
            loadMap(mapFile, map, mapPath);
            return new Layer(id, slot, dataPath, mapPath, data, mapFile, map);
        } catch (IOException | RuntimeException e) {
            closeQuietly(data);
            closeQuietly(mapFile);
            throw e;
        }
    }

    private static ByteBuffer header(String magic, int id) {
        byte[] text = (magic + " " + FORMAT_VERSION + "\nid " + id + "\n").getBytes(StandardCharsets.US_ASCII);
        ByteBuffer header = ByteBuffer.allocate(Layout.HEADER);
        header.put(text).clear();
        return header;
    }

    private static void checkHeader(StorageFile file, String magic, int id, Path path) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(256);
        file.readFully(header, 0);
        String text = new String(header.array(), StandardCharsets.US_ASCII);
        int nul = text.indexOf('\0');
        String[] lines = (nul < 0 ? text : text.substring(0, nul)).split("\n");
        if (lines.length < 2 || !lines[0].startsWith(magic + " ")) {
            throw new StrataException.Corrupt(path + " is not a Strata " + magic + " file (bad header)");
        }
        int version;
        try {
            version = Integer.parseInt(lines[0].substring(magic.length() + 1));
        } catch (NumberFormatException e) {
            throw new StrataException.Corrupt(path + " has an unreadable format version");
        }
        if (version != FORMAT_VERSION) {
            throw new StrataException.Corrupt(path + " has format version " + version + "; this Strata reads version "
                    + FORMAT_VERSION + (version > FORMAT_VERSION ? ": upgrade Strata to open it" : ""));
        }
        if (!lines[1].equals("id " + id)) {
            throw new StrataException.Corrupt(path + " belongs to layer '" + lines[1] + "', not to layer " + id);
        }
    }

    private static void loadMap(StorageFile mapFile, BlockMap map, Path path) throws IOException {
        int chunks = map.chunkCount();
        int perRead = 256; // records per read: 256 KiB
        ByteBuffer buffer = ByteBuffer.allocate(perRead * Layout.MAP_RECORD_BYTES);
        long fileSize = mapFile.size();
        for (int first = 0; first < chunks; first += perRead) {
            if (Layout.mapPosition(first) >= fileSize) {
                break;
            }
            int count = Math.min(perRead, chunks - first);
            buffer.clear().limit(count * Layout.MAP_RECORD_BYTES);
            mapFile.readFully(buffer, Layout.mapPosition(first));
            for (int i = 0; i < count; i++) {
                ByteBuffer record = buffer.slice(i * Layout.MAP_RECORD_BYTES, Layout.MAP_RECORD_BYTES);
                try {
                    map.decode(first + i, record);
                } catch (IllegalStateException e) {
                    throw new StrataException.Corrupt(path + ": " + e.getMessage(), e);
                }
            }
        }
    }

    int id() {
        return id;
    }

    int slot() {
        return slot;
    }

    BlockMap map() {
        return map;
    }

    /** Reads {@code dst.remaining()} bytes of block data starting at byte {@code offset} of the volume. */
    void read(ByteBuffer dst, long offset) throws IOException {
        data.readFully(dst, Layout.DATA_OFFSET + offset);
    }

    /** Reads {@code length} bytes of block data at volume byte {@code offset} into {@code dst} at {@code dstOffset}. */
    void read(java.lang.foreign.MemorySegment dst, long dstOffset, int length, long offset) throws IOException {
        data.readFully(dst, dstOffset, length, Layout.DATA_OFFSET + offset);
    }

    void write(ByteBuffer src, long offset) throws IOException {
        data.writeFully(src, Layout.DATA_OFFSET + offset);
    }

    void punch(long offset, long length) throws IOException {
        data.punchHole(Layout.DATA_OFFSET + offset, length);
    }

    /**
     * Makes the layer's data and map durable. {@code takeDirty} copies the dirty map records (under
     * whatever lock guards them) and clears their dirty marks; the data is synced after the copies
     * are taken and before they are written, so that every map entry written describes data that is
     * already durable.
     */
    void persistMap(DirtyRecords takeDirty) throws IOException {
        List<MapRecord> records = takeDirty.take(map);
        if (records.isEmpty()) {
            return; // every write marks its chunk dirty (even an overwrite in place): nothing was written
        }
        try {
            data.sync();
            for (MapRecord record : records) {
                mapFile.writeFully(ByteBuffer.wrap(record.bytes()), Layout.mapPosition(record.chunk()));
            }
            mapFile.sync();
        } catch (IOException | RuntimeException e) {
            // not written (a full disk, say): the chunks are dirty again, so the next flush writes them as they are then
            for (MapRecord record : records) {
                map.markDirty(record.chunk());
            }
            throw e;
        }
    }

    /** See {@link StorageFile#dropCache}: the data file's clean pages leave the page cache. */
    void dropCache() throws IOException {
        data.dropCache();
    }

    /** A copy of one chunk's map record, as written to disk. */
    record MapRecord(int chunk, byte[] bytes) {}

    /** Copies the dirty records of a map and clears their marks, for {@link #persistMap}. */
    interface DirtyRecords {
        List<MapRecord> take(BlockMap map);

        /** For layers no one else writes to at the same time. */
        DirtyRecords UNLOCKED = map -> {
            List<MapRecord> records = new ArrayList<>();
            BitSet dirty = map.dirtyChunks();
            for (int c = dirty.nextSetBit(0); c >= 0; c = dirty.nextSetBit(c + 1)) {
                records.add(new MapRecord(c, map.encode(c)));
                map.clearDirty(c);
            }
            return records;
        };
    }

    int leases() {
        return leases;
    }

    void lease() {
        leases++;
    }

    void release() {
        leases--;
    }

    void close() {
        closeQuietly(data);
        closeQuietly(mapFile);
    }

    /** Closes and removes both files (the directory is not synced). */
    void delete(Storage storage) throws IOException {
        close();
        storage.delete(dataPath);
        storage.delete(mapPath);
    }

    private static void closeQuietly(StorageFile file) {
        if (file != null) {
            try {
                file.close();
            } catch (IOException ignored) {
                // closing a file we are done with; its content was synced or is not needed
            }
        }
    }

    @Override
    public String toString() {
        return "layer " + id + " (slot " + slot + ")";
    }
}
