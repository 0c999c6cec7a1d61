package io.strata.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.csi.DriverName;
import io.strata.domain.VolumeName;
import io.strata.engine.VolumeStore;
import io.strata.server.ServerConfig;
import io.strata.server.ServerFile;
import io.strata.server.StrataServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same commands, once on a data directory of their own and once on one a running server owns
 * (they then go through its REST API): the same output, the same exit codes, the same state
 * left behind. And the refusals that only a server brings.
 */
class CliThroughServerTest {
    private static final int MiB = 1 << 20;

    @TempDir
    Path tmp;
    private Path alone;
    private Path served;
    private StrataServer server;

    @BeforeEach
    void start() throws IOException {
        alone = tmp.resolve("alone");
        served = tmp.resolve("served");
        server = StrataServer.start(config(served).withHttp(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
    }

    @AfterEach
    void stop() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    private static ServerConfig config(Path data) {
        return new ServerConfig(data, ServerConfig.defaultBackupTarget(data), ServerConfig.defaultCsiEndpoint(data),
                new DriverName("cli.example.com"), "node-1", Map.of(ServerConfig.BACKUP_LOCK_SETTLE_ENV, "0"));
    }

    private static Map<String, String> env(Path data) {
        return Map.of(StrataCli.DATA_DIR_ENV, data.toString(), ServerConfig.BACKUP_LOCK_SETTLE_ENV, "0");
    }

    private Cli.Result remote(String... args) {
        return Cli.run(env(served), args);
    }

    /** Runs a command on both data directories; asserts the same outcome (times and paths aside) and returns it. */
    private Cli.Result both(String... args) {
        Cli.Result offline = Cli.run(env(alone), args);
        Cli.Result online = remote(args);
        assertThat(normalize(online.out(), served)).as("stdout of %s", String.join(" ", args)).isEqualTo(normalize(offline.out(), alone));
        assertThat(online.exitCode()).as("exit code of %s; stderr: %s", String.join(" ", args), online.err()).isEqualTo(offline.exitCode());
        assertThat(online.err().isEmpty()).as("stderr of %s: %s / %s", String.join(" ", args), offline.err(), online.err())
                .isEqualTo(offline.err().isEmpty());
        return online;
    }

    private static String normalize(String text, Path dataDir) {
        return text.replace(dataDir.toString(), "<data>")
                .replaceAll("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z", "<time>")
                .replaceAll("<time>( +)", "<time> ").replaceAll("(LAST BACKUP AT|SNAPSHOT CREATED|CREATED)( +)", "$1 ");
    }

    /** Writes the same bytes into volume {@code db} of both data directories. */
    private void writeBoth(long offset, byte[] data) throws IOException {
        try (VolumeStore store = VolumeStore.open(alone)) {
            store.open(VolumeName.of("db")).writeAt(ByteBuffer.wrap(data), offset);
        }
        server.store().open(VolumeName.of("db")).writeAt(ByteBuffer.wrap(data), offset);
        server.store().open(VolumeName.of("db")).flush();
    }

    @Test
    void theSameCommandsGiveTheSameResultsWithAndWithoutAServer() throws Exception {
        assertThat(ServerClient.find(served, java.util.Optional.empty())).as("the CLI finds the server").isPresent();
        assertThat(ServerClient.find(alone, java.util.Optional.empty())).isEmpty();
        both("volume", "create", "db", "--size", "8Mi").ok();
        byte[] data = new byte[3 * MiB];
        new Random(5).nextBytes(data);
        writeBoth(0, data);
        assertThat(both("snapshot", "create", "db", "s1", "--label", "app=pg").ok()).isEqualTo("created snapshot db@s1 (8Mi)\n");
        writeBoth(5 * MiB, new byte[] {1, 2, 3});
        both("snapshot", "create", "db", "s2").ok();
        both("snapshot", "ls", "db").ok();
        assertThat(both("snapshot", "ls", "db", "--json").ok()).contains("\"app\" : \"pg\"");
        assertThat(both("snapshot", "diff", "db", "s1", "s2").ok()).contains("5242880  4096");
        both("snapshot", "diff", "db", "s2", "--json").ok();
        both("volume", "clone", "db@s1", "c1").ok();
        both("volume", "clone", "db", "c2").ok();
        assertThat(both("volume", "expand", "c1", "--size", "16Mi").ok()).isEqualTo("expanded c1 from 8Mi to 16Mi\n");
        both("volume", "ls").ok();
        both("volume", "ls", "--json").ok();
        both("volume", "info", "db").ok();
        both("volume", "info", "c1", "--json").ok();
        both("snapshot", "revert", "db", "s1").ok();
        both("snapshot", "diff", "db", "s1", "s2", "--json").ok();
        both("snapshot", "rm", "db", "s2").ok();
        both("snapshot", "ls", "db").ok();

        assertThat(both("backup", "create", "db@s1", "--name", "b1", "--label", "team=x", "--json").ok()).contains("\"blocksNew\" : 2");
        both("backup", "create", "db@s1", "--name", "b2", "--compression", "zstd", "--mode", "full").ok();
        assertThat(server.jobs().all()).as("the backups were the server's jobs").extracting(j -> j.record().id()).contains("b1", "b2");
        both("backup", "ls").ok();
        both("backup", "ls", "db", "--json").ok();
        both("backup", "ls", "none").ok();
        both("backup", "inspect", "bak://db/b1").ok();
        both("backup", "inspect", "bak://db/b2", "--json").ok();
        assertThat(both("backup", "verify", "bak://db/b1").ok()).isEqualTo("backup b1 is whole: 2 blocks verified\n");
        assertThat(both("backup", "restore", "bak://db/b1", "r1").ok()).isEqualTo("restored b1 into volume r1 (8Mi, 4.0 MiB of data)\n");
        both("volume", "info", "r1", "--json").ok();
        both("backup", "rm", "bak://db/b2").ok();
        both("backup", "rm", "bak://db/gone").ok();
        both("backup", "ls", "db").ok();
        both("volume", "rm", "c1").ok();
        both("volume", "rm", "db").ok();
        both("backup", "rm-volume", "db").ok();
        both("backup", "ls").ok();

        // the same failures, with the same exit codes
        assertThat(both("volume", "info", "nope").err()).startsWith("strata: volume 'nope' does not exist");
        both("volume", "create", "r1", "--size", "1Mi");
        both("volume", "create", "odd", "--size", "5000");
        both("volume", "expand", "r1", "--size", "1Mi");
        both("snapshot", "rm", "r1", "nope");
        both("snapshot", "revert", "r1", "nope");
        both("backup", "inspect", "bak://db/nope");
        both("backup", "restore", "bak://db/nope", "r9");
        both("volume", "info", "r9");

        // what the server left is what the files hold once it is gone
        String throughServer = remote("volume", "ls", "--json").ok();
        server.close();
        server = null;
        assertThat(Files.exists(served.resolve(ServerFile.NAME))).as("server.json goes with the server").isFalse();
        assertThat(remote("volume", "ls", "--json").ok()).isEqualTo(throughServer);
    }

    @Test
    void importAndExportGoThroughTheServersNbdSocketWithTheSameResults() throws Exception {
        // a 96 MiB sparse image: random data at a few places, zero blocks and holes between them
        Path image = tmp.resolve("disk.img");
        Random random = new Random(7);
        try (var file = java.nio.channels.FileChannel.open(image, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE)) {
            for (long at : new long[] {0, 4096 * 3 + 100, 17 * MiB, 40 * MiB - 4096, 95 * MiB}) {
                byte[] chunk = new byte[MiB + 1234];
                random.nextBytes(chunk);
                file.write(ByteBuffer.wrap(chunk), at);
            }
            file.write(ByteBuffer.wrap(new byte[8 * MiB]), 60 * MiB); // written zeroes: kept sparse too
            file.truncate(96 * MiB);
        }
        Path patch = tmp.resolve("patch.img");
        byte[] patchBytes = new byte[64 * 1024];
        random.nextBytes(patchBytes);
        java.util.Arrays.fill(patchBytes, 16 * 1024, 64 * 1024, (byte) 0);
        Files.write(patch, patchBytes);

        both("volume", "create", "db", "--size", "128Mi").ok();
        assertThat(both("volume", "import", "db", image.toString()).ok())
                .startsWith("imported 96.0 MiB into db at offset 0 (");
        both("snapshot", "create", "db", "before").ok();
        assertThat(both("volume", "import", "db", patch.toString(), "--offset", "100Mi").ok())
                .isEqualTo("imported 64.0 KiB into db at offset 104857600 (16.0 KiB data, 48.0 KiB of zero blocks kept sparse)\n");
        both("snapshot", "create", "db", "after").ok();
        assertThat(both("snapshot", "diff", "db", "before", "after").ok()).as("only the patch's data changed").contains("104857600  16384");
        both("volume", "info", "db", "--json").ok();

        for (String source : new String[] {"db@before", "db"}) {
            Path offline = tmp.resolve("alone-" + source + ".img");
            Path online = tmp.resolve("served-" + source + ".img");
            Cli.Result a = Cli.run(env(alone), "volume", "export", source, offline.toString());
            Cli.Result b = remote("volume", "export", source, online.toString());
            assertThat(b.ok().replace(online.toString(), "FILE")).isEqualTo(a.ok().replace(offline.toString(), "FILE"));
            assertThat(Files.mismatch(offline, online)).as("%s exported through the server is byte-identical", source).isEqualTo(-1);
            assertThat(CliVolumeTest.allocatedOnDisk(online)).as("sparse as offline").isLessThanOrEqualTo(CliVolumeTest.allocatedOnDisk(offline));
        }
        byte[] head = Files.readAllBytes(tmp.resolve("served-db.img"));
        assertThat(java.util.Arrays.copyOfRange(head, 100 * MiB, 100 * MiB + patchBytes.length)).isEqualTo(patchBytes);
        assertThat(Files.mismatch(image, tmp.resolve("served-db@before.img"))).as("the image, then zeroes to the volume's end")
                .isEqualTo(96L * MiB);

        // the same failures
        both("volume", "import", "nope", image.toString());
        both("volume", "import", "db", image.toString(), "--offset", "64Mi");
        both("volume", "export", "db@nope", tmp.resolve("y").toString());
        both("volume", "export", "nope", tmp.resolve("z").toString());
    }

    @Test
    void whatOnlyAServerRefuses() throws Exception {
        remote("volume", "create", "db", "--size", "1Mi").ok();

        Path other = Files.createDirectories(tmp.resolve("other-target"));
        Cli.Result elsewhere = remote("backup", "create", "db", "--target", "file://" + other);
        assertThat(elsewhere.exitCode()).isEqualTo(ExitCode.FAILED_PRECONDITION.status);
        assertThat(elsewhere.err()).contains("backs up to file://" + served.resolve("backups")).contains("leave out --target");
        assertThat(remote("backup", "ls", "--target", "file://" + other).ok()).as("reading another target needs no server")
                .startsWith("no backups in file://" + other);
        assertThat(remote("backup", "create", "db", "--target", "vfs://" + served.resolve("backups"), "--name", "spelled-vfs").ok())
                .as("Longhorn's spelling of the server's own target").contains("url:    vfs://" + served.resolve("backups") + "?backup=spelled-vfs");

        server.volumes().publish(VolumeName.of("db"), "node-1", false);
        Cli.Result attached = remote("volume", "rm", "db");
        assertThat(attached.exitCode()).isEqualTo(ExitCode.FAILED_PRECONDITION.status);
        assertThat(attached.err()).contains("attached to node 'node-1'");
        assertThat(remote("snapshot", "create", "db", "s").ok()).contains("db@s");
        assertThat(remote("snapshot", "revert", "db", "s").exitCode()).isEqualTo(ExitCode.FAILED_PRECONDITION.status);
    }

    @Test
    void aServerThatIsGoneOrHasNoHttpLeavesTheCliToTheFiles() throws Exception {
        server.close();
        // a server that died without removing its file: nobody answers there
        int deadPort;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            deadPort = probe.getLocalPort();
        }
        Files.writeString(served.resolve(ServerFile.NAME), "{\"url\":\"http://127.0.0.1:" + deadPort + "\",\"pid\":1,\"started\":\""
                + Instant.now() + "\",\"version\":\"x\"}");
        assertThat(remote("volume", "create", "db", "--size", "1Mi").ok()).isEqualTo("created volume db (1Mi)\n");

        // a server without HTTP holds the directory: the CLI says so rather than touch it
        server = StrataServer.start(config(served));
        Cli.Result busy = remote("volume", "ls");
        assertThat(busy.exitCode()).isEqualTo(ExitCode.UNAVAILABLE.status);
        assertThat(busy.err()).contains("in use by another Strata process");
    }
}
