package io.strata.backupstore.format;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.backupstore.format.BackupConfig.BlockRef;
import io.strata.domain.StrataException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON of {@code volume.cfg} and backup cfgs, byte-compatible with Longhorn's Go structs:
 *
 * <ul>
 *   <li>Go field names as keys; int64 fields tagged {@code ,string} are JSON strings ({@code "Size":"2147483648"}),
 *       while a block's {@code Offset} is a number.</li>
 *   <li>Five string fields of {@code volume.cfg} are tagged {@code ,string} too, so Go writes them JSON-encoded
 *       inside a string: {@code "CompressionMethod":"\"lz4\""}. Written that way; read in either form.</li>
 *   <li>Empty maps are {@code null}, as Go writes nil maps; {@code Blocks} is left out when empty.</li>
 * </ul>
 *
 * Anything unreadable is {@link StrataException.Corrupt}, naming what was being read.
 */
public final class ConfigCodec {
    private static final JsonFactory JSON = new JsonFactory();
    private static final ObjectMapper READER = new ObjectMapper();

    private ConfigCodec() {}

    // ---------------------------------------------------------------- volume.cfg

    public static byte[] encode(VolumeConfig v) {
        return write(g -> {
            g.writeStringField("Name", v.name());
            g.writeStringField("Size", Long.toString(v.size()));
            writeMap(g, "Labels", v.labels());
            g.writeStringField("CreatedTime", v.createdTime());
            g.writeStringField("LastBackupName", v.lastBackupName());
            g.writeStringField("LastBackupAt", v.lastBackupAt());
            g.writeStringField("BlockCount", Long.toString(v.blockCount()));
            g.writeStringField("BackingImageName", doubleEncode(v.backingImageName()));
            g.writeStringField("BackingImageChecksum", doubleEncode(v.backingImageChecksum()));
            g.writeStringField("CompressionMethod", doubleEncode(v.compressionMethod()));
            g.writeStringField("StorageClassName", doubleEncode(v.storageClassName()));
            g.writeStringField("DataEngine", doubleEncode(v.dataEngine()));
        });
    }

    public static VolumeConfig decodeVolume(byte[] json, String where) {
        JsonNode n = parse(json, where);
        try {
            return new VolumeConfig(text(n, "Name"), number(n, "Size"), map(n, "Labels"), text(n, "CreatedTime"),
                    text(n, "LastBackupName"), text(n, "LastBackupAt"), number(n, "BlockCount"),
                    singleEncoded(n, "BackingImageName"), singleEncoded(n, "BackingImageChecksum"),
                    singleEncoded(n, "CompressionMethod"), singleEncoded(n, "StorageClassName"),
                    orDefault(singleEncoded(n, "DataEngine"), "v1"));
        } catch (RuntimeException e) {
            throw corrupt(where, e);
        }
    }

    // ---------------------------------------------------------------- backup_<name>.cfg

    public static byte[] encode(BackupConfig b) {
        return write(g -> {
            g.writeStringField("Name", b.name());
            g.writeStringField("VolumeName", b.volumeName());
            g.writeStringField("SnapshotName", b.snapshotName());
            g.writeStringField("SnapshotCreatedAt", b.snapshotCreatedAt());
            g.writeStringField("CreatedTime", b.createdTime());
            g.writeStringField("Size", Long.toString(b.size()));
            writeMap(g, "Labels", b.labels());
            writeMap(g, "Parameters", b.parameters());
            g.writeBooleanField("IsIncremental", b.incremental());
            g.writeStringField("CompressionMethod", b.compressionMethod());
            g.writeStringField("NewlyUploadedDataSize", Long.toString(b.newlyUploadedDataSize()));
            g.writeStringField("ReUploadedDataSize", Long.toString(b.reUploadedDataSize()));
            g.writeNullField("ProcessingBlocks");
            if (!b.blocks().isEmpty()) {
                g.writeArrayFieldStart("Blocks");
                for (BlockRef block : b.blocks()) {
                    g.writeStartObject();
                    g.writeNumberField("Offset", block.offset());
                    g.writeStringField("BlockChecksum", block.checksum());
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            g.writeObjectFieldStart("SingleFile");
            g.writeStringField("FilePath", b.singleFilePath());
            g.writeEndObject();
        });
    }

    public static BackupConfig decodeBackup(byte[] json, String where) {
        JsonNode n = parse(json, where);
        try {
            List<BlockRef> blocks = new ArrayList<>();
            JsonNode list = n.get("Blocks");
            if (list != null && !list.isNull()) {
                if (!list.isArray()) {
                    throw new IllegalArgumentException("Blocks is not a list");
                }
                for (JsonNode block : list) {
                    String checksum = text(block, "BlockChecksum");
                    if (!BlockChecksum.isValid(checksum)) {
                        throw new IllegalArgumentException("block checksum '" + checksum + "' is not 64 lowercase hex characters");
                    }
                    long offset = number(block, "Offset");
                    if (offset < 0) {
                        throw new IllegalArgumentException("negative block offset " + offset);
                    }
                    blocks.add(new BlockRef(offset, checksum));
                }
            }
            JsonNode single = n.get("SingleFile");
            String filePath = single == null || single.isNull() ? "" : text(single, "FilePath");
            JsonNode incremental = n.get("IsIncremental");
            return new BackupConfig(text(n, "Name"), text(n, "VolumeName"), text(n, "SnapshotName"),
                    text(n, "SnapshotCreatedAt"), text(n, "CreatedTime"), number(n, "Size"), map(n, "Labels"),
                    map(n, "Parameters"), incremental != null && incremental.asBoolean(), text(n, "CompressionMethod"),
                    number(n, "NewlyUploadedDataSize"), number(n, "ReUploadedDataSize"), blocks, filePath);
        } catch (RuntimeException e) {
            throw corrupt(where, e);
        }
    }

    // ---------------------------------------------------------------- helpers

    private interface Fields {
        void write(JsonGenerator g) throws IOException;
    }

    private static byte[] write(Fields fields) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            fields.write(g);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing JSON to memory cannot fail", e);
        }
        return out.toByteArray();
    }

    private static void writeMap(JsonGenerator g, String field, Map<String, String> map) throws IOException {
        if (map.isEmpty()) {
            g.writeNullField(field);
            return;
        }
        g.writeObjectFieldStart(field);
        for (Map.Entry<String, String> e : new java.util.TreeMap<>(map).entrySet()) {
            g.writeStringField(e.getKey(), e.getValue());
        }
        g.writeEndObject();
    }

    /** A Go {@code ,string} string field: the value JSON-encoded, then stored as a string. */
    static String doubleEncode(String value) {
        try {
            return READER.writeValueAsString(value == null ? "" : value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads a field that may be double-encoded ({@code "\"lz4\""}) or plain ({@code "lz4"}). */
    private static String singleEncoded(JsonNode n, String field) {
        String value = text(n, field);
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
            try {
                return READER.readValue(value, String.class);
            } catch (IOException e) {
                return value;
            }
        }
        return value;
    }

    private static JsonNode parse(byte[] json, String where) {
        try {
            JsonNode n = READER.readTree(json);
            if (n == null || !n.isObject()) {
                throw new StrataException.Corrupt(where + " is not a JSON object");
            }
            return n;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            // the parser's own message quotes the bytes it choked on: a cfg that is a link to /etc/passwd must not
            // leak them, so only the position is told, and the parser's exception is not kept as the cause
            com.fasterxml.jackson.core.JsonLocation at = e.getLocation();
            throw new StrataException.Corrupt(where + " is not valid JSON" + (at == null ? "" : " (line " + at.getLineNr()
                    + ", column " + at.getColumnNr() + ")") + ": it is damaged, or is not a cfg");
        } catch (IOException e) {
            throw new StrataException.Corrupt(where + " cannot be read as JSON: " + e.getClass().getSimpleName());
        }
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return "";
        }
        if (!v.isValueNode()) {
            throw new IllegalArgumentException(field + " is not a string");
        }
        return v.asText();
    }

    /** An int64: a JSON string (Go's {@code ,string}) or a number; missing or empty is 0. */
    private static long number(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull() || (v.isTextual() && v.asText().isEmpty())) {
            return 0;
        }
        if (v.isIntegralNumber()) {
            return v.asLong();
        }
        if (v.isTextual()) {
            try {
                return Long.parseLong(v.asText().strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(field + " is not a number: '" + v.asText() + "'");
            }
        }
        throw new IllegalArgumentException(field + " is not a number");
    }

    private static Map<String, String> map(JsonNode n, String field) {
        JsonNode v = n.get(field);
        Map<String, String> out = new LinkedHashMap<>();
        if (v == null || v.isNull()) {
            return out;
        }
        if (!v.isObject()) {
            throw new IllegalArgumentException(field + " is not an object");
        }
        for (Map.Entry<String, JsonNode> e : v.properties()) {
            out.put(e.getKey(), e.getValue().isNull() ? "" : e.getValue().asText());
        }
        return out;
    }

    private static String orDefault(String value, String fallback) {
        return value.isEmpty() ? fallback : value;
    }

    private static StrataException corrupt(String where, RuntimeException e) {
        if (e instanceof StrataException strata) {
            return strata;
        }
        return new StrataException.Corrupt(where + " cannot be read: " + e.getMessage(), e);
    }
}
