package io.strata.engine.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class MemoryStorageTest extends StorageContract {
    @Override
    Storage newStorage() {
        return new MemoryStorage();
    }

    @Override
    Path newDirectory() {
        return Path.of("/data");
    }

    @Test
    void aCrashLosesUnsyncedWritesAndUnsyncedNames() throws IOException {
        MemoryStorage memory = (MemoryStorage) storage;
        storage.syncDirectory(Path.of("/"));
        try (StorageFile file = storage.open(dir.resolve("f"), true)) {
            file.writeFully(ByteBuffer.wrap(new byte[] {1}), 0);
            file.sync();
            storage.syncDirectory(dir);
            file.writeFully(ByteBuffer.wrap(new byte[] {2}), 0);
        }
        storage.open(dir.resolve("g"), true).close();
        memory.crash();
        assertThat(storage.list(dir)).containsExactly("f");
        ByteBuffer back = ByteBuffer.allocate(1);
        try (StorageFile file = storage.open(dir.resolve("f"), false)) {
            file.readFully(back, 0);
        }
        assertThat(back.get(0)).isEqualTo((byte) 1);
    }

    @Test
    void anInjectedCrashStopsEveryLaterOperation() throws IOException {
        MemoryStorage memory = (MemoryStorage) storage;
        memory.crashAfter(1);
        storage.open(dir.resolve("a"), true).close();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> storage.open(dir.resolve("b"), true))
                .hasMessageContaining("simulated crash");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> storage.list(dir)).hasMessageContaining("simulated crash");
        memory.crash();
        assertThat(storage.list(Path.of("/"))).isEmpty(); // nothing was ever synced
    }
}
