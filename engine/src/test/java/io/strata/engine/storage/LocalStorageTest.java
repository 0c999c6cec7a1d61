package io.strata.engine.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class LocalStorageTest extends StorageContract {
    @TempDir
    Path temp;

    @Override
    Storage newStorage() {
        return new LocalStorage();
    }

    @Override
    Path newDirectory() throws IOException {
        return Files.createDirectories(temp.resolve("store"));
    }

    @org.junit.jupiter.api.Test
    void punchingReleasesSpaceOnThisFileSystem() throws IOException {
        Path path = temp.resolve("sparse");
        try (StorageFile file = storage.open(path, true)) {
            file.writeFully(java.nio.ByteBuffer.wrap(new byte[8 << 20]).put(0, (byte) 1), 0);
            file.sync();
            long before = allocated(path);
            file.punchHole(0, 8 << 20);
            long after = allocated(path);
            org.assertj.core.api.Assertions.assertThat(after).isLessThan(before);
        }
    }

    /** Bytes the file system allocated to a file, as stat(1) reports them. */
    static long allocated(Path path) throws IOException {
        Process stat = new ProcessBuilder("stat", "-c", "%b %B", path.toString()).start();
        String[] out = new String(stat.getInputStream().readAllBytes()).trim().split(" ");
        return Long.parseLong(out[0]) * Long.parseLong(out[1]);
    }
}
