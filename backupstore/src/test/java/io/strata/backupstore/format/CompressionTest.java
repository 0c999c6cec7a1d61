package io.strata.backupstore.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.domain.StrataException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Each method round-trips, and the lz4 and gzip blocks are the standard formats the command-line tools read and write. */
class CompressionTest {
    private static final int BLOCK = 2 << 20;

    @TempDir
    Path tmp;

    static byte[] mixedBlock() {
        byte[] block = new byte[BLOCK];
        new Random(7).nextBytes(block);
        byte[] text = "the quick brown fox jumps over the lazy dog\n".getBytes(StandardCharsets.US_ASCII);
        for (int i = BLOCK / 2; i < BLOCK; i++) {
            block[i] = text[i % text.length];
        }
        return block;
    }

    @ParameterizedTest
    @EnumSource(Compression.class)
    void roundTrips(Compression compression) {
        byte[] block = mixedBlock();
        byte[] stored = compression.compress(block);
        assertThat(compression.decompress(stored, BLOCK)).isEqualTo(block);
        if (compression != Compression.NONE) {
            assertThat(stored.length).as("the text half compresses").isLessThan(BLOCK * 3 / 4);
        }
    }

    @Test
    void lz4BlocksAreFramesTheLz4ToolReadsAndWrites() throws Exception {
        byte[] block = mixedBlock();
        Path ours = Files.write(tmp.resolve("ours.lz4"), Compression.LZ4.compress(block));
        assertThat(run("lz4", "-d", "-c", ours.toString())).isEqualTo(block);

        Path raw = Files.write(tmp.resolve("raw"), block);
        byte[] theirs = run("lz4", "-1", "-c", raw.toString());
        assertThat(Compression.LZ4.decompress(theirs, BLOCK)).isEqualTo(block);
    }

    @Test
    void gzipBlocksAreStreamsGzipReadsAndWrites() throws Exception {
        byte[] block = mixedBlock();
        Path ours = Files.write(tmp.resolve("ours.gz"), Compression.GZIP.compress(block));
        assertThat(run("gzip", "-d", "-c", ours.toString())).isEqualTo(block);

        Path raw = Files.write(tmp.resolve("raw"), block);
        assertThat(Compression.GZIP.decompress(run("gzip", "-c", raw.toString()), BLOCK)).isEqualTo(block);
    }

    @Test
    void aBlockInTheOtherFormatIsReadAsLonghornDoes() {
        byte[] block = mixedBlock();
        assertThat(Compression.GZIP.decompress(Compression.LZ4.compress(block), BLOCK)).isEqualTo(block);
        assertThat(Compression.LZ4.decompress(Compression.GZIP.compress(block), BLOCK)).isEqualTo(block);
        assertThat(Compression.fromMethod("")).isEqualTo(Compression.GZIP);
        assertThat(Compression.fromMethod("LZ4")).isEqualTo(Compression.LZ4);
    }

    @Test
    void damagedOrOversizedBlocksAreCorruptNotData() {
        byte[] block = mixedBlock();
        byte[] stored = Compression.LZ4.compress(block);
        stored[stored.length / 2] ^= 0x55;
        assertThatThrownBy(() -> Compression.LZ4.decompress(stored, BLOCK)).isExactlyInstanceOf(StrataException.Corrupt.class)
                .hasMessageStartingWith("a block does not decompress as lz4");
        assertThatThrownBy(() -> Compression.GZIP.decompress(new byte[] {1, 2, 3}, BLOCK))
                .isExactlyInstanceOf(StrataException.Corrupt.class);
        assertThatThrownBy(() -> Compression.GZIP.decompress(Compression.GZIP.compress(block), BLOCK - 1))
                .isExactlyInstanceOf(StrataException.Corrupt.class).hasMessageContaining("more than the block size");
        assertThatThrownBy(() -> Compression.fromMethod("zip")).isExactlyInstanceOf(StrataException.InvalidArgument.class)
                .hasMessage("unknown compression method 'zip': use lz4, gzip or none");
    }

    private static byte[] run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        byte[] out = process.getInputStream().readAllBytes();
        assertThat(process.waitFor()).as(String.join(" ", command)).isZero();
        return out;
    }
}
