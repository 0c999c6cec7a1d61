package io.strata.nbd.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.engine.Extent;
import io.strata.engine.Volume;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** nbdcopy: several connections at once (multi-conn), many requests in flight, holes skipped. */
class NbdcopyTest extends ServedStore {

    @BeforeEach
    void tools() {
        Tools.require("libnbd-bin", "nbdcopy");
    }

    @Test
    void copiesInAndOutOverFourConnections() throws Exception {
        volume("vol1");
        Path in = tmp.resolve("in.raw");
        byte[] data = new byte[(int) SIZE];
        new Random(3).nextBytes(data);
        Files.write(in, data);
        Tools.run("nbdcopy", "--connections=4", "--requests=64", "--flush", in.toString(), uri("vol1")).ok();
        Path out = tmp.resolve("out.raw");
        Tools.run("nbdcopy", "--connections=4", uri("vol1"), out.toString()).ok();
        assertThat(Files.mismatch(in, out)).isEqualTo(-1);
    }

    @Test
    void sparseSourceLeavesHolesInTheVolume() throws Exception {
        Volume volume = volume("vol1");
        Path in = tmp.resolve("sparse.raw");
        try (FileChannel file = FileChannel.open(in, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            byte[] data = new byte[256 << 10];
            new Random(5).nextBytes(data);
            file.write(ByteBuffer.wrap(data), 10 << 20);
        }
        try (RandomAccessFile file = new RandomAccessFile(in.toFile(), "rw")) {
            file.setLength(SIZE); // a hole up to the end
        }
        fill(volume, 30 << 20, 4096, (byte) 9); // a stale block the copy must zero
        Tools.run("nbdcopy", in.toString(), uri("vol1")).ok();
        assertThat(volume.allocatedExtents()).containsExactly(new Extent(10 << 20, 256 << 10));
        assertThat(read(volume, 30 << 20, 4096)).containsOnly((byte) 0);
    }

    @Test
    void copiesVolumeToVolumeAndSnapshotToVolume() throws Exception {
        Volume source = volume("src");
        fill(source, 1 << 20, 1 << 20, (byte) 4);
        snapshot(source, "s1");
        fill(source, 1 << 20, 1 << 20, (byte) 5);
        Volume target = volume("dst");
        Tools.run("nbdcopy", uri("src@s1"), uri("dst")).ok();
        assertThat(read(target, 1 << 20, 1 << 20)).containsOnly((byte) 4);
        assertThat(target.allocatedExtents()).containsExactly(new Extent(1 << 20, 1 << 20));
    }
}
