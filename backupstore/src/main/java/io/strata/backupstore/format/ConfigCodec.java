package io.strata.backupstore.format;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.backupstore.format.BackupConfig.BlockRef;
import io.strata.domain.StrataException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

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
    private static final ObjectMapper READER = new ObjectMapper();

    private ConfigCodec() {}

    // ---------------------------------------------------------------- volume.cfg

    public static byte[] encode(VolumeConfig v) {
        return new GoObject()
                .string("Name", v.name())
                .string("Size", Long.toString(v.size()))
                .map("Labels", v.labels())
                .string("CreatedTime", v.createdTime())
                .string("LastBackupName", v.lastBackupName())
                .string("LastBackupAt", v.lastBackupAt())
                .string("BlockCount", Long.toString(v.blockCount()))
                .string("BackingImageName", doubleEncode(v.backingImageName()))
                .string("BackingImageChecksum", doubleEncode(v.backingImageChecksum()))
                .string("CompressionMethod", doubleEncode(v.compressionMethod()))
                .string("StorageClassName", doubleEncode(v.storageClassName()))
                .string("DataEngine", doubleEncode(v.dataEngine()))
                .bytes();
    }

    /**
     * Reads {@code volume.cfg}, checking every field.
     *
     * @param where the file's key, for error messages
     * @throws StrataException.Corrupt naming the file and the first field that fails its check
     */
    public static VolumeConfig decodeVolume(byte[] json, String where) {
        JsonNode n = parse(json, where);
        CfgReader r = new CfgReader(where);
        long size = r.count(n, "Size");
        if (size % VolumeConfig.SIZE_GRAIN != 0 || size > VolumeConfig.MAX_SIZE) {
            throw r.corrupt("Size", "is not a volume size (a multiple of 4096 bytes, at most " + (VolumeConfig.MAX_SIZE >> 50) + " PiB)");
        }
        return new VolumeConfig(r.name(n, "Name", true), size, r.map(n, "Labels"), r.time(n, "CreatedTime"),
                r.name(n, "LastBackupName", false), r.time(n, "LastBackupAt"), r.count(n, "BlockCount"),
                singleEncoded(r, n, "BackingImageName"), singleEncoded(r, n, "BackingImageChecksum"),
                r.compressionMethod(singleEncoded(r, n, "CompressionMethod"), "CompressionMethod"),
                singleEncoded(r, n, "StorageClassName"), orDefault(singleEncoded(r, n, "DataEngine"), "v1"));
    }

    // ---------------------------------------------------------------- backup_<name>.cfg

    public static byte[] encode(BackupConfig b) {
        GoObject out = new GoObject()
                .string("Name", b.name())
                .string("VolumeName", b.volumeName())
                .string("SnapshotName", b.snapshotName())
                .string("SnapshotCreatedAt", b.snapshotCreatedAt())
                .string("CreatedTime", b.createdTime())
                .string("Size", Long.toString(b.size()))
                .map("Labels", b.labels())
                .map("Parameters", b.parameters())
                .raw("IsIncremental", Boolean.toString(b.incremental()))
                .string("CompressionMethod", b.compressionMethod())
                .string("NewlyUploadedDataSize", Long.toString(b.newlyUploadedDataSize()))
                .string("ReUploadedDataSize", Long.toString(b.reUploadedDataSize()))
                // Longhorn's struct of unexported fields: {} once its backup has run, nil in the cfg that starts one
                .raw("ProcessingBlocks", b.inProgress() ? "null" : "{}");
        if (!b.blocks().isEmpty()) {
            StringBuilder blocks = new StringBuilder(b.blocks().size() * 100).append('[');
            for (BlockRef block : b.blocks()) {
                blocks.append(blocks.length() == 1 ? "" : ",").append("{\"Offset\":").append(block.offset())
                        .append(",\"BlockChecksum\":").append(GoJson.quote(block.checksum())).append('}');
            }
            out.raw("Blocks", blocks.append(']').toString());
        }
        return out.raw("SingleFile", "{\"FilePath\":" + GoJson.quote(b.singleFilePath()) + "}").bytes();
    }

    /**
     * Reads a backup cfg, checking every field, and the block map against the block size and, when
     * Strata's parameter gives it, the volume's size.
     *
     * @param where the file's key, for error messages
     * @throws StrataException.Corrupt naming the file and the first field that fails its check
     */
    public static BackupConfig decodeBackup(byte[] json, String where) {
        JsonNode n = parse(json, where);
        CfgReader r = new CfgReader(where);
        String name = r.name(n, "Name", true);
        String volumeName = r.name(n, "VolumeName", true);
        Map<String, String> parameters = r.map(n, "Parameters");
        long blockSize = BackupConfig.blockSizeOf(parameters.get(BackupConfig.BLOCK_SIZE_PARAMETER));
        if (blockSize < 0) {
            throw r.corrupt("Parameters." + BackupConfig.BLOCK_SIZE_PARAMETER, "is not 2 MiB or 16 MiB, the only block sizes");
        }
        checkParameters(r, parameters);
        List<BlockRef> blocks = blocks(r, n.get("Blocks"), blockSize);
        String volumeSize = parameters.get(BackupConfig.VOLUME_SIZE_PARAMETER);
        if (volumeSize != null) {
            String field = "Parameters." + BackupConfig.VOLUME_SIZE_PARAMETER;
            long size = r.digits(volumeSize, field);
            if (size == 0 || size % VolumeConfig.SIZE_GRAIN != 0 || size > VolumeConfig.MAX_SIZE) {
                throw r.corrupt(field, "is not a volume size (a positive multiple of 4096 bytes, at most "
                        + (VolumeConfig.MAX_SIZE >> 50) + " PiB)");
            }
            if (!blocks.isEmpty() && blocks.stream().mapToLong(BlockRef::offset).max().getAsLong() >= size) {
                throw r.corrupt("Blocks", "has a block beyond the volume's size in " + field);
            }
        }
        JsonNode single = n.get("SingleFile");
        if (single != null && !single.isNull() && !single.isObject()) {
            throw r.corrupt("SingleFile", "is not an object");
        }
        String filePath = single == null || single.isNull() ? "" : r.text(single, "FilePath", "SingleFile.FilePath");
        return new BackupConfig(name, volumeName, r.text(n, "SnapshotName"), r.time(n, "SnapshotCreatedAt"),
                r.time(n, "CreatedTime"), r.count(n, "Size"), r.map(n, "Labels"), parameters, r.bool(n, "IsIncremental"),
                r.compressionMethod(r.text(n, "CompressionMethod"), "CompressionMethod"), r.count(n, "NewlyUploadedDataSize"),
                r.count(n, "ReUploadedDataSize"), blocks, filePath);
    }

    /** The parameters Longhorn and Strata give meaning to, beyond the block size. */
    private static void checkParameters(CfgReader r, Map<String, String> parameters) {
        String mode = parameters.get(BackupConfig.MODE_PARAMETER);
        if (mode != null && !mode.isEmpty() && !mode.equals("full") && !mode.equals("incremental")) {
            throw r.corrupt("Parameters." + BackupConfig.MODE_PARAMETER, "is not full or incremental");
        }
        String lock = parameters.get(BackupConfig.LOCK_PARAMETER);
        if (lock != null && !StoreLayout.isValidName(lock)) {
            throw r.corrupt("Parameters." + BackupConfig.LOCK_PARAMETER, "is not a lock name");
        }
        parameters.forEach((key, value) -> r.checkText(value, "Parameters." + key));
    }

    /**
     * The block map: each offset a multiple of the block size (an int64, never wrapped), each once,
     * each checksum one that can name a block.
     */
    private static List<BlockRef> blocks(CfgReader r, JsonNode list, long blockSize) {
        List<BlockRef> blocks = new ArrayList<>();
        if (list == null || list.isNull()) {
            return blocks;
        }
        if (!list.isArray()) {
            throw r.corrupt("Blocks", "is not a list");
        }
        Set<Long> offsets = new HashSet<>();
        int i = 0;
        for (JsonNode block : list) {
            String at = "Blocks[" + i++ + "]";
            if (!block.isObject()) {
                throw r.corrupt(at, "is not an object");
            }
            String checksum = r.text(block, "BlockChecksum", at + ".BlockChecksum");
            if (!BlockChecksum.isValid(checksum)) {
                throw r.corrupt(at + ".BlockChecksum", "is not 64 lowercase hex characters");
            }
            JsonNode offsetNode = block.get("Offset");
            if (offsetNode == null || offsetNode.isNull()) {
                throw r.corrupt(at + ".Offset", "is missing");
            }
            long offset = r.count(offsetNode, at + ".Offset", false);
            if (offset % blockSize != 0) {
                throw r.corrupt(at + ".Offset", "is not a multiple of the block size " + blockSize);
            }
            if (offset > VolumeConfig.MAX_SIZE) {
                throw r.corrupt(at + ".Offset", "lies beyond any volume's size");
            }
            if (!offsets.add(offset)) {
                throw r.corrupt(at + ".Offset", "repeats the offset of an earlier block");
            }
            blocks.add(new BlockRef(offset, checksum));
        }
        return blocks;
    }

    // ---------------------------------------------------------------- helpers

    /** A JSON object written field by field as Go's encoder writes a struct: no spaces, strings as {@link GoJson}. */
    private static final class GoObject {
        private final StringBuilder out = new StringBuilder(512).append('{');

        GoObject raw(String field, String json) {
            out.append(out.length() == 1 ? "" : ",").append(GoJson.quote(field)).append(':').append(json);
            return this;
        }

        GoObject string(String field, String value) {
            return raw(field, GoJson.quote(value));
        }

        /** A {@code map[string]string}: keys sorted as Go sorts them; empty is null, as Go writes a nil map. */
        GoObject map(String field, Map<String, String> map) {
            if (map.isEmpty()) {
                return raw(field, "null");
            }
            StringBuilder json = new StringBuilder().append('{');
            map.entrySet().stream().sorted(Map.Entry.comparingByKey(GoJson.KEY_ORDER)).forEach(e -> json
                    .append(json.length() == 1 ? "" : ",").append(GoJson.quote(e.getKey())).append(':').append(GoJson.quote(e.getValue())));
            return raw(field, json.append('}').toString());
        }

        byte[] bytes() {
            return out.append('}').toString().getBytes(StandardCharsets.UTF_8);
        }
    }

    /** A Go {@code ,string} string field: the value JSON-encoded (as Go encodes it), then stored as a string. */
    static String doubleEncode(String value) {
        return GoJson.quote(value == null ? "" : value);
    }

    /** Reads a field that may be double-encoded ({@code "\"lz4\""}) or plain ({@code "lz4"}). */
    private static String singleEncoded(CfgReader r, JsonNode n, String field) {
        String value = r.text(n, field);
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
            try {
                return r.checkText(READER.readValue(value, String.class), field);
            } catch (IOException e) {
                throw r.corrupt(field, "is not a JSON string inside a string");
            }
        }
        return value;
    }

    private static JsonNode parse(byte[] json, String where) {
        try {
            JsonNode n = READER.readTree(json);
            if (n == null || !n.isObject()) {
                throw new StrataException.Corrupt(where + " is not a JSON object; the backup cannot be trusted: restore another one, or delete it");
            }
            return n;
        } catch (JsonProcessingException e) {
            // the parser's own message quotes the bytes it choked on: a cfg that is a link to /etc/passwd must not
            // leak them, so only the position is told, and the parser's exception is not kept as the cause
            JsonLocation at = e.getLocation();
            throw new StrataException.Corrupt(where + " is not valid JSON" + (at == null ? "" : " (line " + at.getLineNr()
                    + ", column " + at.getColumnNr() + ")") + "; the backup cannot be trusted: restore another one, or delete it");
        } catch (IOException e) {
            throw new StrataException.Corrupt(where + " is not valid JSON; the backup cannot be trusted: restore another one, or delete it");
        }
    }

    private static String orDefault(String value, String fallback) {
        return value.isEmpty() ? fallback : value;
    }
}
