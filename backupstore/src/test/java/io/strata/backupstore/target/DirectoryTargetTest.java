package io.strata.backupstore.target;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoryTargetTest extends BackupTargetContract {
    @TempDir
    Path dir;

    @Override
    BackupTarget newTarget() throws IOException {
        return new DirectoryTarget("file://" + dir, dir);
    }

    @Test
    void objectsAreFilesAtTheirKeysAndEmptyDirectoriesGo() throws IOException {
        target.write("backupstore/volumes/d0/2f/v/blocks/ab/cd/abcd.blk", new byte[] {1, 2});
        assertThat(dir.resolve("backupstore/volumes/d0/2f/v/blocks/ab/cd/abcd.blk")).hasBinaryContent(new byte[] {1, 2});
        try (var files = Files.list(dir.resolve("backupstore/volumes/d0/2f/v/blocks/ab/cd"))) {
            assertThat(files).as("no temporary file stays").hasSize(1);
        }
        target.write("backupstore/volumes/d0/2f/v/volume.cfg", new byte[] {3});
        target.delete("backupstore/volumes/d0/2f/v/blocks/ab/cd/abcd.blk");
        assertThat(dir.resolve("backupstore/volumes/d0/2f/v/blocks")).doesNotExist();
        assertThat(dir.resolve("backupstore/volumes/d0/2f/v/volume.cfg")).exists();
    }

    @Test
    void leftoverTemporaryFilesAreNotListed() throws IOException {
        target.write("a/b", new byte[] {1});
        Files.write(dir.resolve("a/b.tmp.12345"), new byte[] {9});
        assertThat(target.list("a")).containsExactly("b");
    }
}
