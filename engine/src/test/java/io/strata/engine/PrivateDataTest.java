package io.strata.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.domain.SnapshotName;
import io.strata.domain.VolumeName;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A data directory and everything the engine writes in it are readable by their owner only. */
class PrivateDataTest {
    @TempDir
    Path tmp;

    @Test
    void everyDirectoryIsRwxAndEveryFileRwForTheOwnerOnly() throws IOException {
        Path data = tmp.resolve("data");
        try (VolumeStore store = VolumeStore.open(data)) {
            Volume volume = store.create(VolumeName.of("db"), 4 << 20);
            volume.writeAt(ByteBuffer.wrap(new byte[] {1, 2, 3}), 8192);
            volume.createSnapshot(SnapshotName.of("s1"), Map.of(), false);
            volume.writeAt(ByteBuffer.wrap(new byte[] {4}), 0);
            volume.flush();
            store.clone(VolumeName.of("db"), java.util.Optional.of(SnapshotName.of("s1")), VolumeName.of("copy")).close();
        }
        List<Path> all;
        try (Stream<Path> walk = Files.walk(data)) {
            all = walk.toList();
        }
        assertThat(all).filteredOn(Files::isRegularFile).hasSizeGreaterThan(4).allSatisfy(f ->
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).as("%s", f).isEqualTo("rw-------"));
        assertThat(all).filteredOn(Files::isDirectory).allSatisfy(d ->
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(d))).as("%s", d).isEqualTo("rwx------"));
    }

    @Test
    void aDataDirectoryOpenToOthersIsTightenedAtOpen() throws IOException {
        Path data = Files.createDirectories(tmp.resolve("data"));
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (VolumeStore store = VolumeStore.open(data)) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data))).isEqualTo("rwx------");
        }
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx-wx--x"));
        VolumeStore.open(data).close();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data))).isEqualTo("rwx------");
    }
}
