package io.strata.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.domain.StrataException;
import io.strata.domain.VolumeName;
import io.strata.engine.storage.LocalStorage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Volumes over 16 TiB on real file systems, mounted for the test (as root): on ext4 with 4 KiB
 * blocks, whose largest file is 16 TiB − 4 KiB, a 20 TiB volume is refused at create and at expand
 * with a message naming the limit and the file system, and a 15 TiB volume is written at its end; on
 * tmpfs, whose files may be far larger, a 20 TiB volume is created and written at its end. Needs
 * root, mkfs.ext4 and mount: without them it is skipped, except in CI, where it fails.
 */
class LargeVolumesTest {
    private static final long TiB = 1L << 40;
    private static final int MiB = 1 << 20;

    @TempDir
    Path tmp;
    private Path mountPoint;

    @AfterEach
    void unmount() throws Exception {
        if (mountPoint != null) {
            run("umount", mountPoint.toString()); // a loop device goes with it (autoclear)
        }
    }

    @Test
    void onExt4AVolumeOver16TiBIsRefusedAndOneBelowWorksToItsEnd() throws Exception {
        requireRootAnd("mkfs.ext4", "mount", "umount");
        Path image = tmp.resolve("ext4.img");
        try (FileChannel file = FileChannel.open(image, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            file.position(64L * MiB - 1).write(ByteBuffer.wrap(new byte[1]));
        }
        run("mkfs.ext4", "-q", "-F", "-b", "4096", image.toString());
        mount("-o", "loop", image.toString());
        Path data = mountPoint.resolve("data");

        assertThat(new LocalStorage().largestFile(Files.createDirectories(mountPoint.resolve("probe")), 64 * TiB))
                .as("ext4's largest file, 16 TiB - 4 KiB").isEqualTo(FileSizeLimitTest.EXT4_LARGEST_FILE);
        try (VolumeStore store = VolumeStore.open(data)) {
            assertThatThrownBy(() -> store.create(VolumeName.of("huge"), 20 * TiB))
                    .isExactlyInstanceOf(StrataException.OutOfRange.class)
                    .hasMessageContaining("does not fit the data directory's file system (ext4), whose largest file is"
                            + " 17592186040320 bytes: a volume there holds at most 17592184991744 bytes");
            assertThat(store.list()).isEmpty();

            Volume volume = store.create(VolumeName.of("big"), 15 * TiB);
            writeAndReadAtTheEnd(volume);
            assertThatThrownBy(() -> volume.expand(20 * TiB)).isExactlyInstanceOf(StrataException.OutOfRange.class)
                    .hasMessageContaining("(ext4)");
            assertThat(volume.size()).isEqualTo(15 * TiB);
            volume.expand(FileSizeLimitTest.EXT4_LARGEST_VOLUME);
            writeAndReadAtTheEnd(volume); // the very last block: before, every write from 16 TiB - 1 MiB - 4 KiB on failed
            assertThat(Files.list(data.resolve("volumes").resolve("big")).map(p -> p.getFileName().toString()))
                    .as("no size probe is left").doesNotContain(".size-probe");
        }
    }

    @Test
    void onTmpfsA20TiBVolumeWorksToItsEnd() throws Exception {
        requireRootAnd("mount", "umount");
        mount("-t", "tmpfs", "-o", "size=64m", "tmpfs");
        try (VolumeStore store = VolumeStore.open(mountPoint.resolve("data"))) {
            writeAndReadAtTheEnd(store.create(VolumeName.of("huge"), 20 * TiB));
        }
    }

    private static void writeAndReadAtTheEnd(Volume volume) throws IOException {
        byte[] data = new byte[8192];
        new java.util.Random(volume.size()).nextBytes(data);
        long offset = volume.size() - data.length;
        volume.writeAt(ByteBuffer.wrap(data), offset);
        volume.flush();
        ByteBuffer back = ByteBuffer.allocate(data.length);
        volume.readAt(back, offset);
        assertThat(back.array()).isEqualTo(data);
    }

    private void mount(String... options) throws Exception {
        Path point = Files.createDirectories(tmp.resolve("mnt"));
        List<String> argv = new java.util.ArrayList<>(List.of("mount"));
        argv.addAll(List.of(options));
        argv.add(point.toString());
        run(argv.toArray(String[]::new));
        mountPoint = point;
    }

    private static void requireRootAnd(String... programs) throws Exception {
        boolean root = "0".equals(output("id", "-u").strip());
        List<String> missing = new java.util.ArrayList<>();
        for (String program : programs) {
            if (output("sh", "-c", "command -v " + program).isBlank()) {
                missing.add(program);
            }
        }
        if (root && missing.isEmpty()) {
            return;
        }
        String why = (root ? "" : "this test must run as root to mount file systems; ") + (missing.isEmpty() ? ""
                : "missing programs " + missing + " (Debian packages e2fsprogs, mount)");
        String ci = System.getenv("CI");
        if (ci != null && !ci.isBlank() && !ci.equalsIgnoreCase("false")) {
            Assertions.fail(why);
        }
        Assumptions.abort(why);
    }

    private static String output(String... argv) throws Exception {
        Process process = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes());
        process.waitFor(60, TimeUnit.SECONDS);
        return out;
    }

    private static void run(String... argv) throws Exception {
        Process process = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("%s: %s", String.join(" ", argv), out).isZero();
    }
}
