package io.strata.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrivateFilesTest {
    @TempDir
    Path tmp;

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    void createsDirectoriesAndFilesForTheOwnerOnly() throws IOException {
        Path dir = PrivateFiles.createDirectories(tmp.resolve("a/b/c"));
        assertThat(mode(tmp.resolve("a"))).isEqualTo("rwx------");
        assertThat(mode(dir)).isEqualTo("rwx------");
        try (FileChannel c = PrivateFiles.open(dir.resolve("f"), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            assertThat(mode(dir.resolve("f"))).as("from the moment it exists").isEqualTo("rw-------");
        }
        assertThat(mode(PrivateFiles.createFile(dir.resolve("g")))).isEqualTo("rw-------");
        assertThat(mode(PrivateFiles.createDirectory(dir.resolve("d")))).isEqualTo("rwx------");
    }

    @Test
    void anExistingDirectoryKeepsItsModeUntilTightened() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("open"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        PrivateFiles.createDirectories(dir);
        assertThat(mode(dir)).isEqualTo("rwxr-xr-x");
        assertThat(PrivateFiles.tighten(dir)).isTrue();
        assertThat(mode(dir)).isEqualTo("rwx------");
        assertThat(PrivateFiles.tighten(dir)).as("already private").isFalse();
    }
}
