package io.strata.backupstore.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlockChecksumTest {
    @TempDir
    Path tmp;

    @Test
    void anAllZeroTwoMebibyteBlockHasTheReferenceChecksum() {
        assertThat(BlockChecksum.of(new byte[2 << 20]))
                .isEqualTo("731859029215873fdac1c9f2f8bd25a334abf0f3a9e1b057cf2cacc2826d86b0");
    }

    @Test
    void itIsTheFirst64HexCharactersOfSha512sum() throws Exception {
        byte[] block = new byte[2 << 20];
        new Random(1).nextBytes(block);
        Path file = Files.write(tmp.resolve("block"), block);
        Process sha = new ProcessBuilder("sha512sum", file.toString()).start();
        String expected = new String(sha.getInputStream().readAllBytes()).substring(0, 64);
        assertThat(BlockChecksum.of(block)).isEqualTo(expected);
        assertThat(BlockChecksum.of(block, 0, 4096)).isNotEqualTo(expected).hasSize(64);
    }
}
