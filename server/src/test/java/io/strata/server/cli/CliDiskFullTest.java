package io.strata.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.csi.node.NodeTools;
import io.strata.domain.DiskFull;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restore into a data directory whose file system fills up, on a real (small, loop-mounted)
 * ext4: the command says the disk is full and what to do, exits with the resource-exhausted
 * status, and leaves no half-restored volume behind; with room again, the same restore works.
 */
class CliDiskFullTest {
    private static final int MiB = 1 << 20;

    @TempDir
    Path tmp;
    private Path mountPoint;
    private boolean mounted;

    @BeforeEach
    void mountASmallFileSystem() throws Exception {
        NodeTools.requireRoot();
        NodeTools.require("e2fsprogs", "mkfs.ext4");
        NodeTools.require("mount", "mount", "umount");
        Path image = tmp.resolve("small.img");
        try (var file = java.nio.channels.FileChannel.open(image, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE)) {
            file.truncate(0).position(40L * MiB - 1).write(java.nio.ByteBuffer.wrap(new byte[1]));
        }
        run("mkfs.ext4", "-q", "-F", image.toString());
        mountPoint = Files.createDirectories(tmp.resolve("small"));
        run("mount", "-o", "loop", image.toString(), mountPoint.toString());
        mounted = true;
    }

    @AfterEach
    void unmount() throws Exception {
        if (mounted) {
            run("umount", mountPoint.toString()); // the loop device goes with it (autoclear)
        }
    }

    @Test
    void aRestoreThatFillsTheDiskSaysSoAndLeavesNothingBehind() throws IOException {
        Path backups = Files.createDirectories(tmp.resolve("backups"));
        Map<String, String> source = Map.of(StrataCli.DATA_DIR_ENV, tmp.resolve("source").toString(), Services.LOCK_SETTLE_ENV, "0",
                RootCommand.BACKUP_TARGET_ENV, "file://" + backups);
        byte[] data = new byte[64 * MiB]; // more than the small file system holds
        new Random(4).nextBytes(data);
        Cli.run(source, "volume", "create", "db", "--size", "64Mi").ok();
        Cli.run(source, "volume", "import", "db", Files.write(tmp.resolve("db.img"), data).toString()).ok();
        Cli.run(source, "backup", "create", "db", "--name", "backup-full").ok();

        Map<String, String> full = Map.of(StrataCli.DATA_DIR_ENV, mountPoint.resolve("data").toString(), Services.LOCK_SETTLE_ENV, "0",
                RootCommand.BACKUP_TARGET_ENV, "file://" + backups);
        Cli.Result restore = Cli.run(full, "backup", "restore", "bak://db/backup-full", "copy");
        assertThat(restore.exitCode()).as(restore.err()).isEqualTo(ExitCode.RESOURCE_EXHAUSTED.status);
        assertThat(restore.err().strip()).isEqualTo("strata: " + DiskFull.ADVICE);
        assertThat(Cli.run(full, "volume", "ls").ok()).as("no half-restored volume").doesNotContain("copy");
        assertThat(Cli.run(full, "volume", "create", "small", "--size", "4Mi").ok()).as("the data directory still works")
                .contains("created volume small");
    }

    private static void run(String... argv) throws Exception {
        Process process = new ProcessBuilder(List.of(argv)).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("%s: %s", String.join(" ", argv), out).isZero();
    }
}
