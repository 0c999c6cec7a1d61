package io.strata.backupstore.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

import io.strata.domain.StrataException;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every field of a cfg is checked when it is read: a malformed one is {@link StrataException.Corrupt}
 * naming the file and the field, and never quoting what the file holds.
 */
class MalformedCfgTest {
    private static final String WHERE = "backupstore/volumes/01/9c/vol1/backups/backup_b1.cfg";
    private static final String C1 = "731859029215873fdac1c9f2f8bd25a334abf0f3a9e1b057cf2cacc2826d86b0";
    private static final String C2 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    /** A secret-looking value: a malformed field's value must never appear in the message. */
    private static final String SECRET = "root:x:0:0";

    /** A valid cfg as Longhorn writes it, 2 MiB blocks at 0 and 4 MiB of a 6 MiB volume. */
    private static final String BACKUP = """
            {"Name":"b1","VolumeName":"vol1","SnapshotName":"s1","SnapshotCreatedAt":"2026-12-07T14:45:21Z",\
            "CreatedTime":"2026-12-07T14:45:23Z","Size":"4194304","Labels":{"app":"db"},\
            "Parameters":{"backup-block-size":"2097152","backup-mode":"incremental","strata-volume-size":"6291456"},\
            "IsIncremental":false,"CompressionMethod":"lz4","NewlyUploadedDataSize":"100","ReUploadedDataSize":"0",\
            "ProcessingBlocks":{},"Blocks":[{"Offset":0,"BlockChecksum":"%s"},{"Offset":4194304,"BlockChecksum":"%s"}],\
            "SingleFile":{"FilePath":""}}""".formatted(C1, C2);

    private static final String VOLUME = """
            {"Name":"vol1","Size":"6291456","Labels":null,"CreatedTime":"2026-12-07T14:45:21Z","LastBackupName":"b1",\
            "LastBackupAt":"2026-12-07T14:45:21Z","BlockCount":"3","BackingImageName":"\\"\\"","BackingImageChecksum":"\\"\\"",\
            "CompressionMethod":"\\"lz4\\"","StorageClassName":"\\"\\"","DataEngine":"\\"v1\\""}""";

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void theValidSamplesRead() {
        BackupConfig b = ConfigCodec.decodeBackup(utf8(BACKUP), WHERE);
        assertThat(b.blocks()).hasSize(2);
        assertThat(b.blockSize()).isEqualTo(2L << 20);
        assertThat(ConfigCodec.decodeVolume(utf8(VOLUME), "volume.cfg").size()).isEqualTo(6L << 20);
    }

    static Stream<Arguments> malformedBackups() {
        return Stream.of(
                argumentSet("Offset 2^64 (would wrap to 0)", "\"Offset\":4194304,", "\"Offset\":18446744073709551616,", "Blocks[1].Offset"),
                argumentSet("Offset 2^63 (past int64)", "\"Offset\":4194304,", "\"Offset\":9223372036854775808,", "Blocks[1].Offset"),
                argumentSet("Offset negative", "\"Offset\":4194304,", "\"Offset\":-2097152,", "Blocks[1].Offset"),
                argumentSet("Offset a fraction", "\"Offset\":4194304,", "\"Offset\":4194304.5,", "Blocks[1].Offset"),
                argumentSet("Offset a string", "\"Offset\":4194304,", "\"Offset\":\"4194304\",", "Blocks[1].Offset"),
                argumentSet("Offset missing", "\"Offset\":4194304,", "", "Blocks[1].Offset"),
                argumentSet("Offset unaligned", "\"Offset\":4194304,", "\"Offset\":4096,", "Blocks[1].Offset"),
                argumentSet("Offset duplicate", "\"Offset\":4194304,", "\"Offset\":0,", "Blocks[1].Offset"),
                argumentSet("Offset beyond strata-volume-size", "\"Offset\":4194304,", "\"Offset\":6291456,", "Blocks"),
                argumentSet("Offset 2 GiB past the end", "\"Offset\":4194304,", "\"Offset\":2153775104,", "Blocks"),
                argumentSet("Offset beyond any volume", "\"Offset\":4194304,", "\"Offset\":9223372036852678656,", "Blocks[1].Offset"),
                argumentSet("BlockChecksum a path", "\"BlockChecksum\":\"" + C2, "\"BlockChecksum\":\"../../" + SECRET, "Blocks[1].BlockChecksum"),
                argumentSet("Blocks not a list", "\"Blocks\":[", "\"Blocks\":\"" + SECRET + "\",\"B\":[", "Blocks"),
                argumentSet("a block not an object", "{\"Offset\":0,", "[\"" + SECRET + "\"],{\"Offset\":0,", "Blocks[0]"),
                argumentSet("strata-volume-size 4096, blocks beyond it", "\"strata-volume-size\":\"6291456\"",
                        "\"strata-volume-size\":\"4096\"", "Blocks"),
                argumentSet("strata-volume-size 20 digits", "\"strata-volume-size\":\"6291456\"",
                        "\"strata-volume-size\":\"99999999999999999999\"", "Parameters.strata-volume-size"),
                argumentSet("strata-volume-size 0", "\"strata-volume-size\":\"6291456\"", "\"strata-volume-size\":\"0\"",
                        "Parameters.strata-volume-size"),
                argumentSet("strata-volume-size not whole pages", "\"strata-volume-size\":\"6291456\"",
                        "\"strata-volume-size\":\"6291457\"", "Parameters.strata-volume-size"),
                argumentSet("strata-volume-size not a number", "\"strata-volume-size\":\"6291456\"",
                        "\"strata-volume-size\":\"" + SECRET + "\"", "Parameters.strata-volume-size"),
                argumentSet("backup-block-size 4Mi", "\"backup-block-size\":\"2097152\"", "\"backup-block-size\":\"4Mi\"",
                        "Parameters.backup-block-size"),
                argumentSet("backup-block-size junk", "\"backup-block-size\":\"2097152\"", "\"backup-block-size\":\"" + SECRET + "\"",
                        "Parameters.backup-block-size"),
                argumentSet("backup-mode unknown", "\"backup-mode\":\"incremental\"", "\"backup-mode\":\"" + SECRET + "\"",
                        "Parameters.backup-mode"),
                argumentSet("Parameters value not a string", "\"backup-mode\":\"incremental\"", "\"backup-mode\":{\"a\":1}", "Parameters"),
                argumentSet("Size 20 digits", "\"Size\":\"4194304\"", "\"Size\":\"99999999999999999999\"", "Size"),
                argumentSet("Size negative", "\"Size\":\"4194304\"", "\"Size\":\"-1\"", "Size"),
                argumentSet("Size not a number", "\"Size\":\"4194304\"", "\"Size\":\"" + SECRET + "\"", "Size"),
                argumentSet("NewlyUploadedDataSize not a number", "\"NewlyUploadedDataSize\":\"100\"",
                        "\"NewlyUploadedDataSize\":\"" + SECRET + "\"", "NewlyUploadedDataSize"),
                argumentSet("ReUploadedDataSize past int64", "\"ReUploadedDataSize\":\"0\"",
                        "\"ReUploadedDataSize\":\"9223372036854775808\"", "ReUploadedDataSize"),
                argumentSet("Name missing", "\"Name\":\"b1\",", "", "Name"),
                argumentSet("Name a path", "\"Name\":\"b1\"", "\"Name\":\"../" + SECRET + "\"", "Name"),
                argumentSet("VolumeName a path", "\"VolumeName\":\"vol1\"", "\"VolumeName\":\"../etc\"", "VolumeName"),
                argumentSet("SnapshotName with an escape sequence", "\"SnapshotName\":\"s1\"", "\"SnapshotName\":\"s1\\u001b[2J\"",
                        "SnapshotName"),
                argumentSet("SnapshotName not a string", "\"SnapshotName\":\"s1\"", "\"SnapshotName\":[1]", "SnapshotName"),
                argumentSet("CreatedTime not a time", "\"CreatedTime\":\"2026-12-07T14:45:23Z\"", "\"CreatedTime\":\"" + SECRET + "\"",
                        "CreatedTime"),
                argumentSet("SnapshotCreatedAt not a time", "\"SnapshotCreatedAt\":\"2026-12-07T14:45:21Z\"",
                        "\"SnapshotCreatedAt\":\"yesterday\"", "SnapshotCreatedAt"),
                argumentSet("Labels not an object", "\"Labels\":{\"app\":\"db\"}", "\"Labels\":\"" + SECRET + "\"", "Labels"),
                argumentSet("IsIncremental not a boolean", "\"IsIncremental\":false", "\"IsIncremental\":\"no\"", "IsIncremental"),
                argumentSet("CompressionMethod unknown", "\"CompressionMethod\":\"lz4\"", "\"CompressionMethod\":\"" + SECRET + "\"",
                        "CompressionMethod"),
                argumentSet("SingleFile not an object", "\"SingleFile\":{\"FilePath\":\"\"}", "\"SingleFile\":\"" + SECRET + "\"",
                        "SingleFile"));
    }

    @ParameterizedTest
    @MethodSource("malformedBackups")
    void aMalformedBackupCfgIsCorruptNamingTheFileAndField(String valid, String malformed, String field) {
        assertThat(BACKUP).contains(valid);
        byte[] cfg = utf8(BACKUP.replace(valid, malformed));
        assertThatThrownBy(() -> ConfigCodec.decodeBackup(cfg, WHERE))
                .isExactlyInstanceOf(StrataException.Corrupt.class)
                .hasMessageStartingWith(WHERE + " is corrupt: " + field + " ")
                .hasMessageNotContaining(SECRET)
                .hasMessageNotContaining("99999999999999999999");
    }

    static Stream<Arguments> malformedVolumes() {
        return Stream.of(
                argumentSet("Size 20 digits", "\"Size\":\"6291456\"", "\"Size\":\"99999999999999999999\"", "Size"),
                argumentSet("Size not whole pages", "\"Size\":\"6291456\"", "\"Size\":\"5000\"", "Size"),
                argumentSet("Size negative", "\"Size\":\"6291456\"", "\"Size\":\"-4096\"", "Size"),
                argumentSet("Size not a number", "\"Size\":\"6291456\"", "\"Size\":\"" + SECRET + "\"", "Size"),
                argumentSet("Size beyond any volume", "\"Size\":\"6291456\"", "\"Size\":\"9223372036854771712\"", "Size"),
                argumentSet("Name missing", "\"Name\":\"vol1\",", "", "Name"),
                argumentSet("Name a path", "\"Name\":\"vol1\"", "\"Name\":\"../etc\"", "Name"),
                argumentSet("LastBackupName a path", "\"LastBackupName\":\"b1\"", "\"LastBackupName\":\"../" + SECRET + "\"",
                        "LastBackupName"),
                argumentSet("CreatedTime not a time", "\"CreatedTime\":\"2026-12-07T14:45:21Z\"", "\"CreatedTime\":\"now\"", "CreatedTime"),
                argumentSet("LastBackupAt not a time", "\"LastBackupAt\":\"2026-12-07T14:45:21Z\"", "\"LastBackupAt\":\"" + SECRET + "\"",
                        "LastBackupAt"),
                argumentSet("BlockCount negative", "\"BlockCount\":\"3\"", "\"BlockCount\":\"-3\"", "BlockCount"),
                argumentSet("CompressionMethod unknown", "\"CompressionMethod\":\"\\\"lz4\\\"\"",
                        "\"CompressionMethod\":\"\\\"" + SECRET + "\\\"\"", "CompressionMethod"),
                argumentSet("DataEngine with control characters", "\"DataEngine\":\"\\\"v1\\\"\"", "\"DataEngine\":\"\\\"v1\\\\u0007\\\"\"",
                        "DataEngine"),
                argumentSet("Labels with a number", "\"Labels\":null", "\"Labels\":{\"a\":1}", "Labels"));
    }

    @ParameterizedTest
    @MethodSource("malformedVolumes")
    void aMalformedVolumeCfgIsCorruptNamingTheFileAndField(String valid, String malformed, String field) {
        assertThat(VOLUME).contains(valid);
        byte[] cfg = utf8(VOLUME.replace(valid, malformed));
        assertThatThrownBy(() -> ConfigCodec.decodeVolume(cfg, "backupstore/volumes/01/9c/vol1/volume.cfg"))
                .isExactlyInstanceOf(StrataException.Corrupt.class)
                .hasMessageStartingWith("backupstore/volumes/01/9c/vol1/volume.cfg is corrupt: " + field + " ")
                .hasMessageNotContaining(SECRET);
    }

    @Test
    void aFileThatIsNotJsonIsNotQuoted() {
        assertThatThrownBy(() -> ConfigCodec.decodeVolume(utf8(SECRET + ":/root:/bin/bash\n"), "volume.cfg"))
                .isExactlyInstanceOf(StrataException.Corrupt.class)
                .hasMessageStartingWith("volume.cfg is not valid JSON (line 1, column")
                .hasMessageNotContaining("root");
    }

    @Test
    void aBlockBeyondTheVolumeSizeIsCorrupt() {
        BackupConfig b = ConfigCodec.decodeBackup(utf8(BACKUP), WHERE);
        b.checkFits(6L << 20, WHERE);
        b.checkFits(4L * (1 << 20) + 4096, WHERE);
        assertThatThrownBy(() -> b.checkFits(4L << 20, WHERE)).isExactlyInstanceOf(StrataException.Corrupt.class)
                .hasMessageStartingWith(WHERE + " is corrupt: Blocks[1].Offset lies beyond the volume's size 4194304");
    }
}
