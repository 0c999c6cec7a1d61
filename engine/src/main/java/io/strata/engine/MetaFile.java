package io.strata.engine;

import io.strata.domain.SnapshotName;
import io.strata.domain.StrataException;
import io.strata.domain.VolumeName;
import io.strata.engine.VolumeMeta.LayerRecord;
import io.strata.engine.VolumeMeta.SnapshotRecord;
import io.strata.engine.storage.Storage;
import io.strata.engine.storage.StorageFile;
import java.io.IOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * Reads and commits {@code volume.meta}: a line-oriented text file with a format line, the volume,
 * its layers, and a CRC32C of everything before the checksum line. A commit writes a temporary
 * file, syncs it, renames it over the old one and syncs the directory: after a crash the file is
 * the old or the new version, whole.
 */
final class MetaFile {
    static final String NAME = "volume.meta";
    static final String TEMP = "volume.meta.tmp";
    private static final String FORMAT = "strata-volume";
    private static final int VERSION = 1;

    private MetaFile() {}

    static void commit(Storage storage, Path dir, VolumeMeta meta) throws IOException {
        byte[] bytes = encode(meta);
        Path temp = dir.resolve(TEMP);
        storage.delete(temp);
        try (StorageFile file = storage.open(temp, true)) {
            file.writeFully(ByteBuffer.wrap(bytes), 0);
            file.sync();
        }
        storage.move(temp, dir.resolve(NAME));
        storage.syncDirectory(dir);
    }

    static VolumeMeta read(Storage storage, Path dir) throws IOException {
        Path path = dir.resolve(NAME);
        byte[] bytes;
        try (StorageFile file = storage.open(path, false)) {
            long size = file.size();
            if (size > 64L * 1024 * 1024) {
                throw new StrataException.Corrupt(path + " is " + size + " bytes: not a volume metadata file");
            }
            ByteBuffer buffer = ByteBuffer.allocate((int) size);
            file.readFully(buffer, 0);
            bytes = buffer.array();
        }
        return decode(new String(bytes, StandardCharsets.UTF_8), path);
    }

    static byte[] encode(VolumeMeta meta) {
        StringBuilder out = new StringBuilder();
        out.append(FORMAT).append(' ').append(VERSION).append('\n');
        out.append("name ").append(meta.name().value()).append('\n');
        out.append("size ").append(meta.size()).append('\n');
        out.append("created ").append(meta.created()).append('\n');
        out.append("next-layer ").append(meta.nextLayerId()).append('\n');
        out.append("head ").append(meta.headId()).append('\n');
        for (LayerRecord layer : meta.layers()) {
            out.append("layer ").append(layer.id()).append(" parent ").append(layer.parentId())
                    .append(" size ").append(layer.size());
            SnapshotRecord snapshot = layer.snapshot();
            if (snapshot != null) {
                out.append(" snapshot ").append(snapshot.name().value())
                        .append(" created ").append(snapshot.created())
                        .append(" user ").append(snapshot.userCreated())
                        .append(" labels ").append(encodeLabels(snapshot.labels()));
            }
            out.append('\n');
        }
        CRC32C crc = new CRC32C();
        byte[] body = out.toString().getBytes(StandardCharsets.UTF_8);
        crc.update(body);
        out.append("checksum ").append(HexFormat.of().toHexDigits((int) crc.getValue())).append('\n');
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    static VolumeMeta decode(String text, Path path) {
        int checksumAt = text.lastIndexOf("checksum ");
        if (!text.startsWith(FORMAT + " ") || checksumAt < 0) {
            throw new StrataException.Corrupt(path + " is not a Strata volume metadata file");
        }
        String body = text.substring(0, checksumAt);
        CRC32C crc = new CRC32C();
        crc.update(body.getBytes(StandardCharsets.UTF_8));
        String expected = HexFormat.of().toHexDigits((int) crc.getValue());
        if (!text.substring(checksumAt).strip().equals("checksum " + expected)) {
            throw new StrataException.Corrupt(path + " fails its checksum: the volume metadata is damaged");
        }
        try {
            String[] lines = body.split("\n");
            int version = Integer.parseInt(lines[0].substring(FORMAT.length() + 1));
            if (version != VERSION) {
                throw new StrataException.Corrupt(path + " has format version " + version + "; this Strata reads version "
                        + VERSION + (version > VERSION ? ": upgrade Strata to open this volume" : ""));
            }
            VolumeName name = VolumeName.of(value(lines[1], "name"));
            long size = Long.parseLong(value(lines[2], "size"));
            Instant created = Instant.parse(value(lines[3], "created"));
            int next = Integer.parseInt(value(lines[4], "next-layer"));
            int head = Integer.parseInt(value(lines[5], "head"));
            List<LayerRecord> layers = new ArrayList<>();
            for (int i = 6; i < lines.length; i++) {
                layers.add(decodeLayer(lines[i].split(" ")));
            }
            VolumeMeta meta = new VolumeMeta(name, size, created, next, head, layers);
            meta.head(); // the head must exist
            return meta;
        } catch (StrataException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new StrataException.Corrupt(path + " cannot be parsed: " + e.getMessage(), e);
        }
    }

    private static LayerRecord decodeLayer(String[] f) {
        expect(f, 0, "layer");
        expect(f, 2, "parent");
        expect(f, 4, "size");
        int id = Integer.parseInt(f[1]);
        int parent = Integer.parseInt(f[3]);
        long size = Long.parseLong(f[5]);
        SnapshotRecord snapshot = null;
        if (f.length > 6) {
            expect(f, 6, "snapshot");
            expect(f, 8, "created");
            expect(f, 10, "user");
            expect(f, 12, "labels");
            snapshot = new SnapshotRecord(SnapshotName.of(f[7]), Instant.parse(f[9]), decodeLabels(f.length > 13 ? f[13] : ""),
                    Boolean.parseBoolean(f[11]));
        }
        return new LayerRecord(id, parent, size, snapshot);
    }

    private static void expect(String[] fields, int at, String word) {
        if (fields.length <= at || !fields[at].equals(word)) {
            throw new IllegalArgumentException("expected '" + word + "' in a layer line");
        }
    }

    private static String value(String line, String key) {
        if (!line.startsWith(key + " ")) {
            throw new IllegalArgumentException("expected '" + key + "' line, found '" + line + "'");
        }
        return line.substring(key.length() + 1);
    }

    private static String encodeLabels(Map<String, String> labels) {
        StringBuilder out = new StringBuilder("-");
        for (Map.Entry<String, String> label : new TreeMap<>(labels).entrySet()) {
            out.append(out.length() == 1 ? "" : "&")
                    .append(URLEncoder.encode(label.getKey(), StandardCharsets.UTF_8)).append('=')
                    .append(URLEncoder.encode(label.getValue(), StandardCharsets.UTF_8));
        }
        return out.toString();
    }

    private static Map<String, String> decodeLabels(String text) {
        Map<String, String> labels = new LinkedHashMap<>();
        if (!text.startsWith("-")) {
            throw new IllegalArgumentException("bad labels field");
        }
        String pairs = text.substring(1);
        if (!pairs.isEmpty()) {
            for (String pair : pairs.split("&")) {
                int eq = pair.indexOf('=');
                labels.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return labels;
    }

}
