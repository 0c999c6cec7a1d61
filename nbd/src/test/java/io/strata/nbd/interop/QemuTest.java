package io.strata.nbd.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.engine.Extent;
import io.strata.engine.Volume;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** qemu's NBD client: qemu-img convert and compare both ways, qemu-io's commands. */
class QemuTest extends ServedStore {

    @BeforeEach
    void tools() {
        Tools.require("qemu-utils", "qemu-img", "qemu-io");
    }

    /** A raw image of {@link #SIZE} bytes: random data in a few places, holes elsewhere. */
    private Path sparseImage(String name) throws Exception {
        Path image = tmp.resolve(name);
        Random random = new Random(7);
        try (var file = java.nio.channels.FileChannel.open(image, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE)) {
            for (long offset : new long[] {0, 3 << 20, (17 << 20) + 4096, SIZE - (1 << 20)}) {
                byte[] data = new byte[1 << 20];
                random.nextBytes(data);
                file.write(java.nio.ByteBuffer.wrap(data), offset);
            }
            file.truncate(SIZE);
        }
        return image;
    }

    @Test
    void convertIntoAVolumeAndCompare() throws Exception {
        volume("vol1");
        Path image = sparseImage("in.raw");
        Tools.run("qemu-img", "convert", "-n", "-f", "raw", "-O", "raw", image.toString(), uri("vol1")).ok();
        Tools.run("qemu-img", "compare", "-f", "raw", "-F", "raw", image.toString(), uri("vol1")).ok();
        // the holes of the image stay holes in the volume
        long allocated = volume("vol1").allocatedExtents().stream().mapToLong(Extent::length).sum();
        assertThat(allocated).isEqualTo(4L << 20);
    }

    @Test
    void convertOutOfAVolumeAndCompare() throws Exception {
        Volume volume = volume("vol1");
        fill(volume, 5 << 20, 1 << 20, (byte) 0x5a);
        fill(volume, 40 << 20, 12345, (byte) 0x7e);
        Path out = tmp.resolve("out.raw");
        Tools.run("qemu-img", "convert", "-f", "raw", "-O", "raw", uri("vol1"), out.toString()).ok();
        Tools.run("qemu-img", "compare", "-f", "raw", "-F", "raw", uri("vol1"), out.toString()).ok();
        assertThat(Files.size(out)).isEqualTo(SIZE);
        // qemu-img skipped the holes the server reported: the file is sparse
        assertThat(Tools.run("du", "-B1", out.toString()).ok().stdout().split("\\s")[0]).satisfies(
                used -> assertThat(Long.parseLong(used)).isLessThan(8L << 20));
    }

    @Test
    void convertOutOfASnapshot() throws Exception {
        Volume volume = volume("vol1");
        fill(volume, 0, 1 << 20, (byte) 1);
        snapshot(volume, "s1");
        fill(volume, 0, 1 << 20, (byte) 2);
        Path out = tmp.resolve("snap.raw");
        Tools.run("qemu-img", "convert", "-f", "raw", "-O", "raw", uri("vol1@s1"), out.toString()).ok();
        byte[] first = new byte[1 << 20];
        try (var in = Files.newInputStream(out)) {
            assertThat(in.readNBytes(first, 0, first.length)).isEqualTo(first.length);
        }
        assertThat(first).containsOnly((byte) 1);
    }

    @Test
    void qemuIoWritesReadsDiscardsAndZeroes() throws Exception {
        Volume volume = volume("vol1");
        String out = Tools.run("qemu-io", "-f", "raw",
                "-c", "write -P 0xab 0 1M",
                "-c", "write -P 0xcd 4M 64k",
                "-c", "write -f -P 0xef 8M 4k",  // FUA
                "-c", "read -P 0xab 0 1M",
                "-c", "read -P 0xcd 4M 64k",
                "-c", "write -z 0 4k",
                "-c", "read -P 0 0 4k",
                "-c", "read -P 0xab 4k 1020k",
                "-c", "discard 4M 64k",
                "-c", "read -P 0 4M 64k",
                "-c", "write -P 0x11 100 10",      // unaligned
                "-c", "read -P 0x11 100 10",
                "-c", "flush",
                uri("vol1")).ok().stdout();
        assertThat(out).doesNotContain("failed").doesNotContain("Pattern verification");
        assertThat(read(volume, 4096, 4096)).containsOnly((byte) 0xab);
        assertThat(read(volume, 0, 100)).containsOnly((byte) 0);
        assertThat(read(volume, 100, 10)).containsOnly((byte) 0x11);
        assertThat(read(volume, 8 << 20, 4096)).containsOnly((byte) 0xef);
        assertThat(volume.allocatedExtents()).containsExactly(new Extent(0, 1 << 20), new Extent(8 << 20, 4096));
    }

    @Test
    void qemuIoCannotWriteASnapshot() throws Exception {
        snapshot(volume("vol1"), "s1");
        Tools.Result result = Tools.run("qemu-io", "-f", "raw", "-c", "write -P 1 0 4k", uri("vol1@s1"));
        assertThat(result.exit()).isNotZero();
        assertThat(result.stdout() + result.stderr()).contains("Permission denied");
    }

    @Test
    void qemuImgMapShowsTheAllocation() throws Exception {
        Volume volume = volume("vol1");
        fill(volume, 2 << 20, 1 << 20, (byte) 3);
        String map = Tools.run("qemu-img", "map", "--output=json", "-f", "raw", uri("vol1")).ok().stdout();
        assertThat(map.replaceAll("\\s", ""))
                .contains("\"start\":0,\"length\":2097152,\"depth\":0,\"present\":true,\"zero\":true,\"data\":false")
                .contains("\"start\":2097152,\"length\":1048576,\"depth\":0,\"present\":true,\"zero\":false,\"data\":true")
                .contains("\"start\":3145728,\"length\":63963136,\"depth\":0,\"present\":true,\"zero\":true,\"data\":false");
    }

    @Test
    void largeRequestsOverTcp() throws Exception {
        volume("vol1");
        Path image = sparseImage("in.raw");
        Tools.run("qemu-img", "convert", "-n", "-S", "0", "-f", "raw", "-O", "raw", image.toString(), tcpUri("vol1")).ok();
        Tools.run("qemu-img", "compare", "-f", "raw", "-F", "raw", tcpUri("vol1"), image.toString()).ok();
        assertThat(List.of(Tools.run("qemu-io", "-f", "raw", "-c", "read 0 32M", tcpUri("vol1")).ok().stdout()))
                .allMatch(s -> s.contains("read 33554432/33554432"));
    }
}
