package io.strata.engine.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every {@link Storage} must do; each implementation's test extends this. */
abstract class StorageContract {
    Storage storage;
    Path dir;

    abstract Storage newStorage();

    abstract Path newDirectory() throws IOException;

    @BeforeEach
    void setUp() throws IOException {
        storage = newStorage();
        dir = newDirectory();
        storage.createDirectories(dir);
    }

    @Test
    void writtenBytesReadBackAndBeyondTheEndReadsZeroes() throws IOException {
        try (StorageFile file = storage.open(dir.resolve("f"), true)) {
            file.writeFully(ByteBuffer.wrap(new byte[] {1, 2, 3}), 10_000);
            assertThat(file.size()).isEqualTo(10_003);
            ByteBuffer back = ByteBuffer.allocate(8);
            file.readFully(back, 9_998);
            assertThat(back.array()).containsExactly(0, 0, 1, 2, 3, 0, 0, 0);
        }
    }

    @Test
    void punchedRangeKeepsTheLength() throws IOException {
        try (StorageFile file = storage.open(dir.resolve("f"), true)) {
            byte[] data = new byte[3 * 4096];
            java.util.Arrays.fill(data, (byte) 7);
            file.writeFully(ByteBuffer.wrap(data), 0);
            file.punchHole(4096, 4096);
            assertThat(file.size()).isEqualTo(3 * 4096);
            ByteBuffer first = ByteBuffer.allocate(4096);
            file.readFully(first, 0);
            assertThat(first.get(4095)).isEqualTo((byte) 7);
        }
    }

    @Test
    void openingAMissingFileWithoutCreateFails() {
        assertThatThrownBy(() -> storage.open(dir.resolve("missing"), false)).isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void moveReplacesTheTargetAndListIsSorted() throws IOException {
        write(dir.resolve("b"), 1);
        write(dir.resolve("a"), 2);
        storage.move(dir.resolve("b"), dir.resolve("a"));
        storage.syncDirectory(dir);
        assertThat(storage.list(dir)).containsExactly("a");
        try (StorageFile file = storage.open(dir.resolve("a"), false)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            file.readFully(one, 0);
            assertThat(one.get(0)).isEqualTo((byte) 1);
        }
    }

    @Test
    void deletingAndListingMissingPathsIsFine() throws IOException {
        storage.delete(dir.resolve("nothing"));
        assertThat(storage.list(dir.resolve("nothing"))).isEmpty();
        assertThat(storage.exists(dir.resolve("nothing"))).isFalse();
    }

    @Test
    void directoriesMoveWithTheirContent() throws IOException {
        Path sub = dir.resolve("sub");
        storage.createDirectories(sub);
        write(sub.resolve("x"), 5);
        storage.move(sub, dir.resolve("moved"));
        assertThat(storage.isDirectory(dir.resolve("moved"))).isTrue();
        assertThat(storage.list(dir.resolve("moved"))).containsExactly("x");
    }

    @Test
    void theLockExcludesASecondHolderUntilReleased() throws IOException {
        Path lockFile = dir.resolve("lock");
        Closeable lock = storage.lockExclusively(lockFile);
        assertThatThrownBy(() -> storage.lockExclusively(lockFile)).isInstanceOfAny(IOException.class,
                java.nio.channels.OverlappingFileLockException.class);
        lock.close();
        storage.lockExclusively(lockFile).close();
    }

    private void write(Path path, int value) throws IOException {
        try (StorageFile file = storage.open(path, true)) {
            file.writeFully(ByteBuffer.wrap(new byte[] {(byte) value}), 0);
            file.sync();
        }
    }

    @Test
    void theLargestFileIsAtMostWhatIsAskedAndTheProbeGoes() throws IOException {
        storage.open(dir.resolve("kept"), true).close();
        assertThat(storage.largestFile(dir, 1L << 30)).as("1 GiB fits every file system").isEqualTo(1L << 30);
        long largest = storage.largestFile(dir, Long.MAX_VALUE);
        assertThat(largest).as("some file systems stop below 8 EiB, none below 1 TiB").isGreaterThanOrEqualTo(1L << 40);
        if (largest < Long.MAX_VALUE) {
            assertThat(storage.largestFile(dir, largest + 1)).as("exactly the limit").isEqualTo(largest);
        }
        assertThat(storage.list(dir)).containsExactly("kept");
        assertThat(storage.fileSystemType(dir)).isNotBlank();
    }
}
