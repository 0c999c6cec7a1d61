package io.strata.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.domain.StrataException;
import io.strata.domain.VolumeName;
import io.strata.engine.storage.MemoryStorage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * A volume is never larger than the file system's largest file allows (here a fake file system with
 * ext4's limit; {@code LargeVolumesTest} does it on a real ext4): create and expand refuse such a
 * size with OutOfRange, naming the largest volume that fits, and leave nothing behind; a volume that
 * fits is written at its very end.
 */
class FileSizeLimitTest {
    private static final Path DATA = Path.of("/data");
    private static final long TiB = 1L << 40;
    /** ext4's largest file with 4 KiB blocks. */
    static final long EXT4_LARGEST_FILE = 16 * TiB - 4096;
    /** The largest volume whose data file fits that. */
    static final long EXT4_LARGEST_VOLUME = EXT4_LARGEST_FILE - Layout.DATA_OFFSET;

    @Test
    void createRefusesAVolumeLargerThanTheFileSystemsLargestFile() throws IOException {
        MemoryStorage storage = new MemoryStorage();
        storage.setLargestFile(EXT4_LARGEST_FILE);
        try (VolumeStore store = VolumeStore.open(DATA, storage)) {
            assertThatThrownBy(() -> store.create(VolumeName.of("huge"), 20 * TiB))
                    .isExactlyInstanceOf(StrataException.OutOfRange.class)
                    .hasMessage("volume 'huge' of 21990232555520 bytes (20.0 TiB) does not fit the data directory's file system"
                            + " (memory), whose largest file is 17592186040320 bytes: a volume there holds at most 17592184991744"
                            + " bytes (16.0 TiB); ask for at most that, or put the data directory on a file system with larger"
                            + " files, such as xfs");
            assertThat(store.list()).isEmpty();
            assertThat(storage.list(DATA.resolve("volumes"))).as("nothing half-built is left").isEmpty();

            Volume largest = store.create(VolumeName.of("largest"), EXT4_LARGEST_VOLUME);
            largest.writeAt(ByteBuffer.wrap(new byte[] {1, 2, 3, 4}), EXT4_LARGEST_VOLUME - 4);
            ByteBuffer back = ByteBuffer.allocate(4);
            largest.readAt(back, EXT4_LARGEST_VOLUME - 4);
            assertThat(back.array()).containsExactly(1, 2, 3, 4);
            assertThatThrownBy(() -> store.create(VolumeName.of("one-block-more"), EXT4_LARGEST_VOLUME + 4096))
                    .isExactlyInstanceOf(StrataException.OutOfRange.class);
        }
    }

    @Test
    void expandRefusesToGrowPastItAndLeavesTheVolumeAsItWas() throws IOException {
        MemoryStorage storage = new MemoryStorage();
        storage.setLargestFile(EXT4_LARGEST_FILE);
        try (VolumeStore store = VolumeStore.open(DATA, storage)) {
            Volume volume = store.create(VolumeName.of("v"), 15 * TiB);
            assertThatThrownBy(() -> volume.expand(20 * TiB))
                    .isExactlyInstanceOf(StrataException.OutOfRange.class)
                    .hasMessageContaining("a volume there holds at most 17592184991744 bytes");
            assertThat(volume.size()).isEqualTo(15 * TiB);
            volume.expand(EXT4_LARGEST_VOLUME);
            assertThat(volume.size()).isEqualTo(EXT4_LARGEST_VOLUME);
            volume.writeAt(ByteBuffer.wrap(new byte[] {9}), EXT4_LARGEST_VOLUME - 1);
        }
    }

    @Test
    void theStoreSaysHowLargeAVolumeMayBe() throws IOException {
        MemoryStorage storage = new MemoryStorage();
        try (VolumeStore store = VolumeStore.open(DATA, storage)) {
            assertThat(store.largestVolume()).isEqualTo(VolumeStore.MAX_SIZE);
        }
        storage.setLargestFile(EXT4_LARGEST_FILE);
        try (VolumeStore store = VolumeStore.open(DATA, storage)) {
            assertThat(store.largestVolume()).isEqualTo(EXT4_LARGEST_VOLUME);
        }
    }
}
