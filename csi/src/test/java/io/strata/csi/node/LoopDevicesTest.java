package io.strata.csi.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Loop devices with a size limit that grows while the device is open, on the real kernel. */
class LoopDevicesTest {

    private static final long MiB = 1 << 20;

    @TempDir
    Path tmp;

    @RegisterExtension
    final HostLeftovers leftovers = new HostLeftovers(() -> tmp);

    @Test
    void theSizeLimitGrowsWhileTheDeviceIsInUse() throws Exception {
        NodeTools.requireRoot();
        NodeTools.require("util-linux", "losetup");
        Path backing = tmp.resolve("backing.img");
        try (RandomAccessFile file = new RandomAccessFile(backing.toFile(), "rw")) {
            file.setLength(64 * MiB);
        }
        LoopDevices loops = new LoopDevices(new HostOs());
        Path loop = loops.attach(backing, 8 * MiB, false);
        try {
            assertThat(loops.bound(loop)).isTrue();
            assertThat(loops.size(loop)).isEqualTo(8 * MiB);
            assertThat(loops.backedBy(backing)).containsExactly(loop);
            assertThat(loops.majorMinor(loop)).matches("7:\\d+");
            try (FileChannel open = FileChannel.open(loop, StandardOpenOption.READ)) {
                loops.resize(loop, 40 * MiB);
                assertThat(loops.size(loop)).isEqualTo(40 * MiB);
                assertThat(open.size()).as("the open device sees it at once").isEqualTo(40 * MiB);
            }
            String listed = new HostOs().run(Command.of("losetup", "--list", "--noheadings", "--output", "SIZELIMIT,DIO",
                    loop.toString())).stdout();
            assertThat(listed.strip()).matches(40 * MiB + "\\s+1");
        } finally {
            loops.detach(loop);
        }
        assertThat(loops.bound(loop)).isFalse();
        assertThat(loops.backedBy(backing)).isEmpty();
        loops.detach(loop); // again: nothing to do
    }
}
