package io.strata.backupstore.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.backupstore.format.BackupConfig.BlockRef;
import io.strata.domain.StrataException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigCodecTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String C1 = "731859029215873fdac1c9f2f8bd25a334abf0f3a9e1b057cf2cacc2826d86b0";
    private static final String C2 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void volumeCfgIsWrittenAsLonghornWritesIt() throws Exception {
        VolumeConfig volume = new VolumeConfig("pvc-1", 2147483648L, Map.of("app", "db"), "2026-11-22T05:00:00Z",
                "backup-3", "2026-11-22T05:10:00Z", 12, "", "", "lz4", "longhorn", "v1");
        JsonNode n = JSON.readTree(ConfigCodec.encode(volume));
        assertThat(n.get("Size").isTextual()).as("int64 ,string fields are strings").isTrue();
        assertThat(n.get("Size").asText()).isEqualTo("2147483648");
        assertThat(n.get("BlockCount").asText()).isEqualTo("12");
        assertThat(n.get("CompressionMethod").asText()).as("double-encoded").isEqualTo("\"lz4\"");
        assertThat(n.get("BackingImageName").asText()).isEqualTo("\"\"");
        assertThat(n.get("DataEngine").asText()).isEqualTo("\"v1\"");
        assertThat(n.get("Labels").get("app").asText()).isEqualTo("db");
        assertThat(new String(ConfigCodec.encode(volume), StandardCharsets.UTF_8)).contains("\"CompressionMethod\":\"\\\"lz4\\\"\"");
        assertThat(ConfigCodec.decodeVolume(ConfigCodec.encode(volume), "volume.cfg")).isEqualTo(volume);
    }

    @Test
    void volumeCfgReadsTheReferenceSampleAndBothEncodings() {
        VolumeConfig sample = ConfigCodec.decodeVolume(utf8("""
                {"Name":"pvc-1","Size":"2147483648","CreatedTime":"2026-01-01T00:00:00Z","LastBackupName":"backup-3","LastBackupAt":"2026-01-02T00:00:00Z"}
                """), "sample");
        assertThat(sample.name()).isEqualTo("pvc-1");
        assertThat(sample.size()).isEqualTo(2147483648L);
        assertThat(sample.compression()).as("an empty method is gzip").isEqualTo(Compression.GZIP);
        assertThat(sample.dataEngine()).isEqualTo("v1");
        assertThat(sample.labels()).isEmpty();

        VolumeConfig plain = ConfigCodec.decodeVolume(utf8("""
                {"Name":"v2","Size":4194304,"BlockCount":"2","CompressionMethod":"lz4","Labels":null}
                """), "plain");
        assertThat(plain.compressionMethod()).isEqualTo("lz4");
        assertThat(plain.size()).isEqualTo(4194304);
        VolumeConfig doubled = ConfigCodec.decodeVolume(utf8("""
                {"Name":"v2","Size":"4194304","CompressionMethod":"\\"none\\"","StorageClassName":"\\"longhorn-static\\""}
                """), "doubled");
        assertThat(doubled.compression()).isEqualTo(Compression.NONE);
        assertThat(doubled.storageClassName()).isEqualTo("longhorn-static");
    }

    @Test
    void backupCfgRoundTripsWithTheFullBlockMap() throws Exception {
        BackupConfig backup = new BackupConfig("backup-0123456789abcdef", "pvc-1", "snapshot-6f1c", "2026-11-22T05:00:00Z",
                "2026-11-22T05:01:00Z", 4L << 20, Map.of("k", "v"), Map.of("backup-mode", "incremental",
                "backup-block-size", "2097152"), true, "lz4", 1234, 0,
                List.of(new BlockRef(0, C1), new BlockRef(2L << 20, C2)), "");
        byte[] bytes = ConfigCodec.encode(backup);
        JsonNode n = JSON.readTree(bytes);
        assertThat(n.get("Blocks").get(1).get("Offset").isIntegralNumber()).as("Offset is a number").isTrue();
        assertThat(n.get("Blocks").get(1).get("BlockChecksum").asText()).isEqualTo(C2);
        assertThat(n.get("Size").asText()).isEqualTo("4194304");
        assertThat(n.get("CompressionMethod").asText()).as("plain in backup cfgs").isEqualTo("lz4");
        assertThat(n.get("IsIncremental").asBoolean()).isTrue();
        assertThat(n.get("SingleFile").get("FilePath").asText()).isEmpty();
        assertThat(ConfigCodec.decodeBackup(bytes, "cfg")).isEqualTo(backup);
        assertThat(backup.blockSize()).isEqualTo(2L << 20);
        assertThat(backup.inProgress()).isFalse();
    }

    @Test
    void stringsAreEscapedAsGosJsonMarshalEscapesThem() {
        BackupConfig b = new BackupConfig("b1", "v1", "", "", "", 0, Map.of("k<", "<>&\u2028\u2029\u0001\u001b\b\f\n\r\t\"\\\u00e9\u007f\uD800"),
                null, false, "lz4", 0, 0, null, null);
        assertThat(new String(ConfigCodec.encode(b), StandardCharsets.UTF_8)).contains("\"Labels\":{\"k\\u003c\":"
                + "\"\\u003c\\u003e\\u0026\\u2028\\u2029\\u0001\\u001b\\b\\f\\n\\r\\t\\\"\\\\\u00e9\u007f\\ufffd\"}");
        VolumeConfig v = new VolumeConfig("v1", 0, null, "", "", "", 0, "", "", "a<b", "", "v1");
        assertThat(new String(ConfigCodec.encode(v), StandardCharsets.UTF_8)).as("double-encoded: escaped, then escaped again")
                .contains("\"CompressionMethod\":\"\\\"a\\\\u003cb\\\"\"");
    }

    @Test
    void anInProgressCfgHasNoTimeAndNoBlocks() throws Exception {
        BackupConfig started = new BackupConfig("backup-1", "pvc-1", "", "", "", 0, null, null, false, "lz4", 0, 0, null, null);
        JsonNode n = JSON.readTree(ConfigCodec.encode(started));
        assertThat(n.get("CreatedTime").asText()).isEmpty();
        assertThat(n.has("Blocks")).as("Blocks is omitted when empty").isFalse();
        assertThat(ConfigCodec.decodeBackup(ConfigCodec.encode(started), "cfg").inProgress()).isTrue();
    }

    @ParameterizedTest(name = "block size parameter [{0}] is {1}")
    @CsvSource({"'',2097152", "0,2097152", "2097152,2097152", "16Mi,16777216", "16777216,16777216"})
    void blockSizeFollowsTheParameter(String parameter, long expected) {
        BackupConfig b = new BackupConfig("b1", "v1", "", "", "t", 0, null, Map.of("backup-block-size", parameter), false,
                "lz4", 0, 0, null, null);
        assertThat(b.blockSize()).isEqualTo(expected);
    }

    @Test
    void malformedCfgsAreCorruptNamingTheFile() {
        assertThatThrownBy(() -> ConfigCodec.decodeBackup(utf8("{not json"), "backups/backup_x.cfg"))
                .isExactlyInstanceOf(StrataException.Corrupt.class).hasMessageStartingWith("backups/backup_x.cfg is not valid JSON")
                .hasMessageNotContaining("not json");
        assertThatThrownBy(() -> ConfigCodec.decodeBackup(utf8("[]"), "c")).isExactlyInstanceOf(StrataException.Corrupt.class);
        BackupConfig odd = new BackupConfig("b1", "v1", "", "", "t", 0, null, Map.of("backup-block-size", "4Mi"), false,
                "lz4", 0, 0, null, null);
        assertThatThrownBy(odd::blockSize).isExactlyInstanceOf(StrataException.Corrupt.class)
                .hasMessageContaining("other than 2 MiB or 16 MiB");
    }
}
