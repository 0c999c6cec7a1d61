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

    @org.junit.jupiter.api.Test
    void mappedReadsSeeLaterWritesAndPunchedHolesAndWindowEdges() throws IOException {
        long window = MappedWindows.WINDOW;
        try (StorageFile file = storage.open(temp.resolve("big"), true)) {
            file.writeFully(java.nio.ByteBuffer.wrap(new byte[] {9}), 3 * window); // sparse: three whole windows below
            byte[] first = new byte[8192];
            java.util.Arrays.fill(first, (byte) 1);
            file.writeFully(java.nio.ByteBuffer.wrap(first), 4096);
            org.assertj.core.api.Assertions.assertThat(read(file, 4096, 8192)).containsOnly(1);
            java.util.Arrays.fill(first, (byte) 2);
            file.writeFully(java.nio.ByteBuffer.wrap(first), 4096); // after the window was mapped
            org.assertj.core.api.Assertions.assertThat(read(file, 4096, 8192)).containsOnly(2);
            file.punchHole(4096, 4096);
            byte[] punched = read(file, 4096, 8192);
            org.assertj.core.api.Assertions.assertThat(java.util.Arrays.copyOfRange(punched, 0, 4096)).containsOnly(0);
            org.assertj.core.api.Assertions.assertThat(java.util.Arrays.copyOfRange(punched, 4096, 8192)).containsOnly(2);
            byte[] edge = new byte[4096];
            java.util.Arrays.fill(edge, (byte) 3);
            file.writeFully(java.nio.ByteBuffer.wrap(edge), window - 2048); // straddles windows 0 and 1
            org.assertj.core.api.Assertions.assertThat(read(file, window - 2048, 4096)).containsOnly(3);
            byte[] tail = read(file, 3 * window - 1, 4); // the last window is partial: read past the end
            org.assertj.core.api.Assertions.assertThat(tail).containsExactly(0, 9, 0, 0);
        }
    }

    @org.junit.jupiter.api.Test
    void droppingTheCacheReleasesWrittenBackPagesAndKeepsTheContent() throws IOException, InterruptedException {
        boolean present = new ProcessBuilder("sh", "-c", "command -v fincore").start().waitFor() == 0;
        org.assertj.core.api.Assertions.assertThat(present || System.getenv("CI") == null)
                .as("fincore (apt-get install util-linux-extra) is on the PATH in CI").isTrue();
        org.junit.jupiter.api.Assumptions.assumeTrue(present, "fincore is not installed (apt-get install util-linux-extra)");
        Path path = temp.resolve("written");
        byte[] data = new byte[16 << 20];
        new java.util.Random(7).nextBytes(data);
        try (StorageFile file = storage.open(path, true)) {
            file.writeFully(java.nio.ByteBuffer.wrap(data), 0);
            file.sync();
            org.assertj.core.api.Assertions.assertThat(resident(path)).as("cached after the write").isGreaterThan(8 << 20);
            file.dropCache();
            org.assertj.core.api.Assertions.assertThat(resident(path)).as("cached after dropping").isLessThan(1 << 20);
            org.assertj.core.api.Assertions.assertThat(read(file, 0, data.length)).isEqualTo(data);
            file.writeFully(java.nio.ByteBuffer.wrap(data, 0, 4 << 20), 0); // dirty: not dropped before written back
            file.dropCache();
            org.assertj.core.api.Assertions.assertThat(read(file, 0, 4 << 20)).isEqualTo(java.util.Arrays.copyOf(data, 4 << 20));
        }
    }

    /** Bytes of a file in the page cache, as fincore(1) reports them. */
    private static long resident(Path path) throws IOException, InterruptedException {
        Process fincore = new ProcessBuilder("fincore", "--bytes", "--noheadings", "--raw", "--output", "RES", path.toString())
                .redirectErrorStream(true).start();
        String out = new String(fincore.getInputStream().readAllBytes()).trim();
        org.assertj.core.api.Assertions.assertThat(fincore.waitFor()).as(out).isZero();
        return Long.parseLong(out);
    }

    private static byte[] read(StorageFile file, long position, int length) throws IOException {
        java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocateDirect(length);
        file.readFully(buffer, position);
        org.assertj.core.api.Assertions.assertThat(buffer.hasRemaining()).isFalse();
        byte[] out = new byte[length];
        buffer.flip().get(out);
        return out;
    }

    /** Bytes the file system allocated to a file, as stat(1) reports them. */
    static long allocated(Path path) throws IOException {
        Process stat = new ProcessBuilder("stat", "-c", "%b %B", path.toString()).start();
        String[] out = new String(stat.getInputStream().readAllBytes()).trim().split(" ");
        return Long.parseLong(out[0]) * Long.parseLong(out[1]);
    }
}
