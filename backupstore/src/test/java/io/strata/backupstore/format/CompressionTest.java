package io.strata.backupstore.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.strata.domain.StrataException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import net.jpountz.lz4.LZ4FrameOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Each method round-trips; the lz4, gzip and zstd blocks are the standard formats the command-line
 * tools read and write, and the lz4 frames are byte for byte what Longhorn's writer and lz4-java's
 * frame stream write.
 */
class CompressionTest {
    private static final int BLOCK = 2 << 20;
    private static final int BIG_BLOCK = 16 << 20;

    @TempDir
    Path tmp;

    static byte[] mixedBlock() {
        return mixedBlock(BLOCK);
    }

    /** Random first half, text second half. */
    static byte[] mixedBlock(int size) {
        byte[] block = new byte[size];
        new Random(7).nextBytes(block);
        byte[] text = "the quick brown fox jumps over the lazy dog\n".getBytes(StandardCharsets.US_ASCII);
        for (int i = size / 2; i < size; i++) {
            block[i] = text[i % text.length];
        }
        return block;
    }

    static byte[] randomBlock(int size) {
        byte[] block = new byte[size];
        new Random(11).nextBytes(block);
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
        byte[] into = new byte[BLOCK];
        assertThat(compression.decompress(stored, into)).isEqualTo(BLOCK);
        assertThat(into).isEqualTo(block);
    }

    @ParameterizedTest
    @EnumSource(Compression.class)
    void roundTripsEdgeSizes(Compression compression) {
        for (byte[] block : List.of(new byte[0], new byte[] {42}, randomBlock(BLOCK), mixedBlock(BIG_BLOCK),
                randomBlock(BIG_BLOCK + 12345), new byte[BIG_BLOCK])) {
            byte[] stored = compression.compress(block);
            assertThat(compression.decompress(stored, BIG_BLOCK + 12345)).as("%d bytes", block.length).isEqualTo(block);
            assertThat(compression.compress(withMargins(block), 3, block.length)).as("at an offset").isEqualTo(stored);
        }
    }

    @ParameterizedTest
    @EnumSource(Compression.class)
    void aBlockLargerThanTheBlockSizeIsCorrupt(Compression compression) {
        byte[] stored = compression.compress(mixedBlock());
        assertThatThrownBy(() -> compression.decompress(stored, BLOCK - 1)).isExactlyInstanceOf(StrataException.Corrupt.class)
                .hasMessageContaining("more than the block size");
        assertThatThrownBy(() -> compression.decompress(stored, new byte[BLOCK - 4096]))
                .isExactlyInstanceOf(StrataException.Corrupt.class).hasMessageContaining("more than the block size");
    }

    @Test
    void lz4FramesAreWhatLonghornAndLz4JavaWrite() throws IOException {
        // pierrec/lz4 v4 (Longhorn) and this writer: FLG 0x64, BD 0x70, header checksum, one
        // uncompressed block (6 bytes do not shrink), end mark, xxh32 of the content
        assertThat(HexFormat.of().formatHex(Compression.LZ4.compress("Strata".getBytes(StandardCharsets.US_ASCII))))
                .isEqualTo("04224d186470b9" + "06000080" + "537472617461" + "00000000" + "ce109401");
        for (byte[] block : List.of(mixedBlock(), randomBlock(BLOCK), mixedBlock(BIG_BLOCK), new byte[BLOCK], new byte[0])) {
            ByteArrayOutputStream theirs = new ByteArrayOutputStream();
            try (LZ4FrameOutputStream out = new LZ4FrameOutputStream(theirs, LZ4FrameOutputStream.BLOCKSIZE.SIZE_4MB,
                    LZ4FrameOutputStream.FLG.Bits.BLOCK_INDEPENDENCE, LZ4FrameOutputStream.FLG.Bits.CONTENT_CHECKSUM)) {
                out.write(block);
            }
            assertThat(Compression.LZ4.compress(block)).as("%d bytes", block.length).isEqualTo(theirs.toByteArray());
        }
    }

    @Test
    void anIncompressibleLz4BlockIsStoredUncompressed() {
        byte[] block = randomBlock(BLOCK);
        byte[] stored = Compression.LZ4.compress(block);
        int word = (stored[7] & 0xff) | (stored[8] & 0xff) << 8 | (stored[9] & 0xff) << 16 | (stored[10] & 0xff) << 24;
        assertThat(word).isEqualTo(BLOCK | 0x80000000);
        assertThat(stored).hasSize(7 + 4 + BLOCK + 4 + 4);
    }

    @Test
    void lz4BlocksAreFramesTheLz4ToolReadsAndWrites() throws Exception {
        for (byte[] block : List.of(mixedBlock(), randomBlock(BLOCK), mixedBlock(BIG_BLOCK))) {
            Path ours = Files.write(tmp.resolve("ours.lz4"), Compression.LZ4.compress(block));
            assertThat(run("lz4", "-d", "-c", ours.toString())).isEqualTo(block);
        }

        byte[] block = mixedBlock(BIG_BLOCK);
        Path raw = Files.write(tmp.resolve("raw"), block);
        // the tool's default, and with what other writers may set: small blocks, block checksums, content size
        for (List<String> options : List.of(List.of("-1"), List.of("-9"), List.of("-1", "-B4", "-BX", "--content-size"),
                List.of("-1", "-B5", "--no-frame-crc"), List.of("-1", "-B6", "-BI"))) {
            String[] command = concat(concat(new String[] {"lz4"}, options.toArray(String[]::new)), "-c", raw.toString());
            assertThat(Compression.LZ4.decompress(run(command), BIG_BLOCK)).as(String.join(" ", options)).isEqualTo(block);
        }
    }

    @Test
    void lz4FramesTheReaderRefusesSayWhy() throws Exception {
        Path raw = Files.write(tmp.resolve("raw"), mixedBlock());
        byte[] linked = run("lz4", "-1", "-B4", "-BD", "-c", raw.toString());
        assertThatThrownBy(() -> Compression.LZ4.decompress(linked, BLOCK)).isExactlyInstanceOf(StrataException.Corrupt.class)
                .hasMessageContaining("depend on earlier blocks");
        byte[] stored = Compression.LZ4.compress(mixedBlock());
        byte[] badHeader = stored.clone();
        badHeader[6] ^= 1;
        assertThatThrownBy(() -> Compression.LZ4.decompress(badHeader, BLOCK)).hasMessageContaining("descriptor does not match");
        byte[] cut = Arrays.copyOf(stored, stored.length - 3);
        assertThatThrownBy(() -> Compression.LZ4.decompress(cut, BLOCK)).hasMessageContaining("cut short");
        byte[] badContent = stored.clone();
        badContent[badContent.length - 1] ^= 1;
        assertThatThrownBy(() -> Compression.LZ4.decompress(badContent, BLOCK)).hasMessageContaining("content does not match");
    }

    @Test
    void lz4ReadsConcatenatedAndSkippableFrames() {
        byte[] first = mixedBlock();
        byte[] second = randomBlock(4096);
        byte[] skippable = {0x5A, 0x2A, 0x4D, 0x18, 3, 0, 0, 0, 1, 2, 3};
        byte[] stored = concat(concat(Compression.LZ4.compress(first), skippable), Compression.LZ4.compress(second));
        byte[] both = concat(first, second);
        assertThat(Compression.LZ4.decompress(stored, both.length)).isEqualTo(both);
    }

    @Test
    void zstdBlocksAreFramesTheZstdToolReadsAndWrites() throws Exception {
        // CI installs zstd (.ci/run): there a missing tool is a failure, never a silent skip
        assertThat(onPath("zstd") || System.getenv("CI") == null).as("zstd is on the PATH in CI").isTrue();
        assumeTrue(onPath("zstd"), "the zstd tool is not installed (apt-get install zstd): interoperability not checked");
        for (byte[] block : List.of(mixedBlock(), randomBlock(BLOCK), mixedBlock(BIG_BLOCK))) {
            Path ours = Files.write(tmp.resolve("ours.zst"), Compression.ZSTD.compress(block));
            assertThat(run("zstd", "-q", "-d", "-c", ours.toString())).isEqualTo(block);
        }
        byte[] block = mixedBlock();
        Path raw = Files.write(tmp.resolve("raw"), block);
        for (String level : new String[] {"-1", "-19"}) {
            assertThat(Compression.ZSTD.decompress(run("zstd", "-q", level, "-c", raw.toString()), BLOCK)).isEqualTo(block);
        }
        // a frame without its content size (as a stream writes) is bounded by the destination all the same
        byte[] streamed = run("sh", "-c", "zstd -q -1 -c < " + raw);
        assertThat(Compression.ZSTD.decompress(streamed, BLOCK)).isEqualTo(block);
        assertThatThrownBy(() -> Compression.ZSTD.decompress(streamed, BLOCK - 1)).hasMessageContaining("more than the block size");
    }

    @Test
    void zstdFramesCarryTheirChecksum() {
        byte[] stored = Compression.ZSTD.compress(mixedBlock());
        byte[] damaged = stored.clone();
        damaged[damaged.length - 1] ^= 1;
        assertThatThrownBy(() -> Compression.ZSTD.decompress(damaged, BLOCK)).isExactlyInstanceOf(StrataException.Corrupt.class)
                .hasMessageStartingWith("a block does not decompress as zstd");
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
        assertThat(Compression.ZSTD.decompress(Compression.LZ4.compress(block), BLOCK)).isEqualTo(block);
        assertThat(Compression.fromMethod("")).isEqualTo(Compression.GZIP);
        assertThat(Compression.fromMethod("LZ4")).isEqualTo(Compression.LZ4);
        assertThat(Compression.fromMethod("zstd")).isEqualTo(Compression.ZSTD);
        assertThat(Compression.ZSTD.method()).isEqualTo("zstd");
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
        assertThatThrownBy(() -> Compression.LZ4.decompress(new byte[] {1, 2, 3}, BLOCK))
                .isExactlyInstanceOf(StrataException.Corrupt.class);
        assertThatThrownBy(() -> Compression.GZIP.decompress(Compression.GZIP.compress(block), BLOCK - 1))
                .isExactlyInstanceOf(StrataException.Corrupt.class).hasMessageContaining("more than the block size");
        assertThatThrownBy(() -> Compression.fromMethod("zip")).isExactlyInstanceOf(StrataException.InvalidArgument.class)
                .hasMessage("unknown compression method 'zip': use lz4, gzip, zstd (Strata only: Longhorn cannot read it) or none");
    }

    private static byte[] withMargins(byte[] data) {
        byte[] out = new byte[data.length + 7];
        Arrays.fill(out, (byte) 0x5A);
        System.arraycopy(data, 0, out, 3, data.length);
        return out;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static boolean onPath(String tool) {
        return Arrays.stream(System.getenv().getOrDefault("PATH", "").split(":"))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir.isEmpty() ? "." : dir, tool)));
    }

    private static byte[] run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        byte[] out = process.getInputStream().readAllBytes();
        assertThat(process.waitFor()).as(String.join(" ", command)).isZero();
        return out;
    }
}
