package io.strata.server.cli;

import static io.strata.server.cli.CliVolumeTest.allocatedOnDisk;
import static io.strata.server.cli.CliVolumeTest.imageWithHoles;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.domain.StrataException;
import io.strata.engine.Extent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Import and export against a fake device: holes stay holes, bytes stay bytes. */
class VolumeTransferTest {
    private static final int MiB = 1 << 20;

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "offset {0}")
    @ValueSource(longs = {0, 4096, 1000, MiB - 1, 3 * MiB})
    void importWritesOnlyDataBlocksAndZeroesTheRest(long offset) throws IOException {
        byte[] image = imageWithHoles(2 * MiB + 777, offset);
        Path file = Files.write(tmp.resolve("in.img"), image);
        MemoryBlockDevice device = new MemoryBlockDevice(6 * MiB);
        Arrays.fill(device.bytes, (byte) 0x55); // old content, which the import must fully replace

        VolumeTransfer.Imported imported = VolumeTransfer.importFile(file, device, offset);

        byte[] expected = new byte[6 * MiB];
        Arrays.fill(expected, (byte) 0x55);
        System.arraycopy(image, 0, expected, (int) offset, image.length);
        assertThat(device.bytes).isEqualTo(expected);
        assertThat(imported.bytes()).isEqualTo(image.length);
        assertThat(device.calls("write")).as("no zero block is written as data").noneMatch(MemoryBlockDevice.Call::allZero);
        assertThat(device.calls("write").stream().mapToLong(MemoryBlockDevice.Call::length).sum()).isEqualTo(imported.dataBytes());
        // about half the image's blocks hold data; unaligned, each of those touches two device blocks
        assertThat(imported.dataBytes()).isLessThan(image.length * 7L / 10);
        assertThat(device.flushes).isEqualTo(1);
    }

    @Test
    void zeroBlocksBetweenDataBecomeOneZeroCall() throws IOException {
        byte[] image = new byte[5 * MiB];
        image[0] = 1;
        image[image.length - 1] = 1;
        MemoryBlockDevice device = new MemoryBlockDevice(8 * MiB);

        VolumeTransfer.Imported imported = VolumeTransfer.importFile(Files.write(tmp.resolve("in.img"), image), device, 0);

        assertThat(device.calls).containsExactly(
                new MemoryBlockDevice.Call("write", 0, 4096, false),
                new MemoryBlockDevice.Call("zero", 4096, 5 * MiB - 8192, true),
                new MemoryBlockDevice.Call("write", 5 * MiB - 4096, 4096, false));
        assertThat(imported.dataBytes()).isEqualTo(8192);
    }

    @Test
    void aLongHoleOverOldDataIsOneZeroCall() throws IOException {
        byte[] image = new byte[5 * MiB];
        image[0] = 1;
        image[image.length - 1] = 1;
        MemoryBlockDevice device = new MemoryBlockDevice(8 * MiB);
        Arrays.fill(device.bytes, 0, 3 * MiB, (byte) 9);

        VolumeTransfer.importFile(Files.write(tmp.resolve("in.img"), image), device, 0);

        assertThat(device.calls).containsExactly(
                new MemoryBlockDevice.Call("write", 0, 4096, false),
                new MemoryBlockDevice.Call("zero", 4096, 5 * MiB - 8192, true),
                new MemoryBlockDevice.Call("write", 5 * MiB - 4096, 4096, false));
        byte[] expected = new byte[8 * MiB];
        System.arraycopy(image, 0, expected, 0, image.length);
        assertThat(device.bytes).isEqualTo(expected);
    }

    @Test
    void importThatDoesNotFitWritesNothing() throws IOException {
        Path file = Files.write(tmp.resolve("in.img"), new byte[MiB]);
        MemoryBlockDevice device = new MemoryBlockDevice(MiB);

        assertThatThrownBy(() -> VolumeTransfer.importFile(file, device, 4096))
                .isInstanceOf(StrataException.OutOfRange.class)
                .hasMessageContaining("does not fit");
        assertThat(device.calls).isEmpty();
    }

    @Test
    void exportIsSparseAndExact() throws IOException {
        MemoryBlockDevice device = new MemoryBlockDevice(8 * MiB);
        byte[] image = imageWithHoles(8 * MiB, 9);
        System.arraycopy(image, 0, device.bytes, 0, image.length);
        Path out = Files.write(tmp.resolve("out.img"), new byte[10 * MiB]); // longer, and all data

        VolumeTransfer.Exported exported = VolumeTransfer.exportFile(device, List.of(new Extent(0, 8 * MiB)), 8 * MiB, out);

        assertThat(Files.readAllBytes(out)).isEqualTo(image);
        assertThat(exported.bytes()).isEqualTo(8L * MiB);
        assertThat(allocatedOnDisk(out)).isLessThanOrEqualTo(exported.dataBytes() + 64 * 1024);
    }

    @Test
    void exportReadsOnlyTheGivenExtents() throws IOException {
        MemoryBlockDevice device = new MemoryBlockDevice(MiB);
        Arrays.fill(device.bytes, (byte) 7);
        Path out = tmp.resolve("out.img");

        VolumeTransfer.exportFile(device, List.of(new Extent(8192, 4096), new Extent(65536, 100)), MiB, out);

        byte[] expected = new byte[MiB];
        Arrays.fill(expected, 8192, 8192 + 4096, (byte) 7);
        Arrays.fill(expected, 65536, 65536 + 100, (byte) 7);
        assertThat(Files.readAllBytes(out)).isEqualTo(expected);
    }
}
