package io.strata.backupstore.target;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.backupstore.BackupTargets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A directory target keeps what Strata writes there to its owner: backups are the volumes' data. */
class DirectoryTargetPermissionsTest {
    @TempDir
    Path tmp;

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    void createdDirectoriesAndWrittenObjectsAreTheOwnersOnly() throws IOException {
        Path root = tmp.resolve("store");
        assertThat(BackupTargets.createDirectory("file://" + root)).isTrue();
        assertThat(mode(root)).isEqualTo("rwx------");
        assertThat(BackupTargets.createDirectory("file://" + root)).as("there already").isFalse();
        try (DirectoryTarget target = new DirectoryTarget("file://" + root, root)) {
            target.write("backupstore/volumes/ab/cd/db/blocks/12/34/1234abcd.blk", new byte[] {1, 2, 3});
            target.write("backupstore/volumes/ab/cd/db/volume.cfg", new byte[] {4});
        }
        assertThat(mode(root.resolve("backupstore"))).isEqualTo("rwx------");
        assertThat(mode(root.resolve("backupstore/volumes/ab/cd/db/blocks/12/34"))).isEqualTo("rwx------");
        assertThat(mode(root.resolve("backupstore/volumes/ab/cd/db/blocks/12/34/1234abcd.blk"))).isEqualTo("rw-------");
        assertThat(mode(root.resolve("backupstore/volumes/ab/cd/db/volume.cfg"))).isEqualTo("rw-------");
    }
}
