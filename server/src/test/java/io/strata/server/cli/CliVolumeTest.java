package io.strata.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Volume commands end to end: the real engine on a temporary data directory. */
class CliVolumeTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MiB = 1 << 20;

    @TempDir
    Path tmp;

    private Cli cli;

    @BeforeEach
    void setUp() {
        cli = new Cli(tmp.resolve("data"));
    }

    @Test
    void noArgumentsPrintsTheTour() {
        String out = cli.ok();
        assertThat(out).contains("block storage for Kubernetes", "strata volume create", "strata snapshot diff");
    }

    @Test
    void helpAndVersion() {
        assertThat(cli.ok("--help")).contains("Usage: strata", "volume", "snapshot", "--data-dir");
        assertThat(cli.ok("volume", "--help")).contains("create", "import", "export", "clone", "expand");
        assertThat(cli.ok("--version")).startsWith("strata ");
    }

    @Test
    void createListInfoAndRemove() throws IOException {
        assertThat(cli.ok("volume", "ls")).contains("no volumes yet");
        assertThat(cli.ok("volume", "create", "db", "--size", "1Gi")).isEqualTo("created volume db (1Gi)\n");
        cli.ok("volume", "create", "logs", "--size", "64Mi");

        String table = cli.ok("volume", "ls");
        assertThat(table.lines().toList().getFirst()).matches("NAME +SIZE +SNAPSHOTS +ALLOCATED +CREATED");
        assertThat(table).containsPattern("(?m)^db +1Gi +0 ").containsPattern("(?m)^logs +64Mi +0 ");

        JsonNode list = JSON.readTree(cli.ok("volume", "ls", "--json"));
        assertThat(list.isArray()).isTrue();
        assertThat(list).hasSize(2);
        JsonNode db = list.get(0);
        assertThat(db.get("name").asText()).isEqualTo("db");
        assertThat(db.get("sizeBytes").asLong()).isEqualTo(1L << 30);
        assertThat(db.get("snapshots").asInt()).isZero();
        assertThat(db.has("layers")).isTrue();
        assertThat(db.get("allocatedBytes").isNumber()).isTrue();
        assertThat(Instant.parse(db.get("created").asText())).isBeforeOrEqualTo(Instant.now());

        assertThat(cli.ok("volume", "info", "logs")).contains("name:       logs", "size:       64Mi (67108864 bytes)");
        assertThat(JSON.readTree(cli.ok("volume", "info", "logs", "--json")).get("sizeBytes").asLong()).isEqualTo(64L * MiB);

        assertThat(cli.ok("volume", "rm", "db")).isEqualTo("removed volume db\n");
        assertThat(JSON.readTree(cli.ok("volume", "ls", "--json"))).hasSize(1);
        assertThat(cli.run("volume", "info", "db").exitCode()).isEqualTo(ExitCode.NOT_FOUND.status);
    }

    @Test
    void importKeepsZeroBlocksAsHolesAndExportGivesTheSameBytes() throws IOException {
        cli.ok("volume", "create", "vol", "--size", "16Mi");
        byte[] image = imageWithHoles(3 * MiB + 12_345, 1);
        Path in = Files.write(tmp.resolve("in.img"), image);

        String imported = cli.ok("volume", "import", "vol", in.toString());
        assertThat(imported).startsWith("imported 3.0 MiB into vol at offset 0");
        long allocated = JSON.readTree(cli.ok("volume", "info", "vol", "--json")).get("allocatedBytes").asLong();
        assertThat(allocated).as("only data blocks are allocated").isLessThan(image.length / 2);

        Path out = tmp.resolve("out.img");
        cli.ok("volume", "export", "vol", out.toString());
        byte[] expected = new byte[16 * MiB];
        System.arraycopy(image, 0, expected, 0, image.length);
        assertThat(Files.size(out)).isEqualTo(16L * MiB);
        assertThat(Files.readAllBytes(out)).isEqualTo(expected);
        assertThat(allocatedOnDisk(out)).as("the export is sparse").isLessThan(4L * MiB);
    }

    @Test
    void importAtAnOffsetAndOverExistingData() throws IOException {
        cli.ok("volume", "create", "vv", "--size", "8Mi");
        Path ones = Files.write(tmp.resolve("ones.img"), filled(2 * MiB, (byte) 1));
        cli.ok("volume", "import", "vv", ones.toString());
        // zero blocks of a later import must replace the data under them, not leave it
        byte[] second = imageWithHoles(MiB + 100, 7);
        Path patch = Files.write(tmp.resolve("patch.img"), second);
        cli.ok("volume", "import", "vv", patch.toString(), "--offset", "512Ki");

        byte[] expected = new byte[8 * MiB];
        System.arraycopy(filled(2 * MiB, (byte) 1), 0, expected, 0, 2 * MiB);
        System.arraycopy(second, 0, expected, 512 * 1024, second.length);
        Path out = tmp.resolve("out.img");
        cli.ok("volume", "export", "vv", out.toString());
        assertThat(Files.readAllBytes(out)).isEqualTo(expected);
    }

    @Test
    void expandGrowsTheVolumeAndKeepsItsData() throws IOException {
        cli.ok("volume", "create", "vv", "--size", "4Mi");
        byte[] image = imageWithHoles(4 * MiB, 3);
        cli.ok("volume", "import", "vv", Files.write(tmp.resolve("in.img"), image).toString());

        assertThat(cli.ok("volume", "expand", "vv", "--size", "8Mi")).isEqualTo("expanded vv from 4Mi to 8Mi\n");
        assertThat(JSON.readTree(cli.ok("volume", "info", "vv", "--json")).get("sizeBytes").asLong()).isEqualTo(8L * MiB);
        Path out = tmp.resolve("out.img");
        cli.ok("volume", "export", "vv", out.toString());
        byte[] expected = new byte[8 * MiB];
        System.arraycopy(image, 0, expected, 0, image.length);
        assertThat(Files.readAllBytes(out)).isEqualTo(expected);
        // the new space takes an import that would not have fitted before
        cli.ok("volume", "import", "vv", tmp.resolve("in.img").toString(), "--offset", "4Mi");
    }

    @Test
    void cloneFromTheHeadAndFromASnapshot() throws IOException {
        cli.ok("volume", "create", "src", "--size", "4Mi");
        byte[] first = imageWithHoles(4 * MiB, 11);
        byte[] second = imageWithHoles(4 * MiB, 12);
        cli.ok("volume", "import", "src", Files.write(tmp.resolve("first.img"), first).toString());
        cli.ok("snapshot", "create", "src", "s1");
        cli.ok("volume", "import", "src", Files.write(tmp.resolve("second.img"), second).toString());

        assertThat(cli.ok("volume", "clone", "src@s1", "old")).isEqualTo("cloned src@s1 to old (4Mi)\n");
        assertThat(cli.ok("volume", "clone", "src", "new")).isEqualTo("cloned src to new (4Mi)\n");
        // the clones are independent of their source from now on
        cli.ok("volume", "import", "src", tmp.resolve("first.img").toString());

        assertThat(export("old")).isEqualTo(first);
        assertThat(export("new")).isEqualTo(second);
        assertThat(export("src@s1")).isEqualTo(first);
        assertThat(export("src")).isEqualTo(first);
    }

    @Test
    void exportOfASnapshotIsSparseAndSizedAsTheSnapshot() throws IOException {
        cli.ok("volume", "create", "vv", "--size", "4Mi");
        byte[] image = imageWithHoles(4 * MiB, 5);
        cli.ok("volume", "import", "vv", Files.write(tmp.resolve("in.img"), image).toString());
        cli.ok("snapshot", "create", "vv", "small");
        cli.ok("volume", "expand", "vv", "--size", "16Mi");

        Path out = tmp.resolve("small.img");
        assertThat(cli.ok("volume", "export", "vv@small", out.toString())).startsWith("exported vv@small to ");
        assertThat(Files.readAllBytes(out)).isEqualTo(image);
        assertThat(allocatedOnDisk(out)).isLessThan(3L * MiB);
    }

    @Test
    void dataDirComesFromTheOptionBeforeOrAfterTheCommandOrTheEnvironment() throws IOException {
        Path optionDir = tmp.resolve("from-option");
        Path envDir = tmp.resolve("from-env");
        Map<String, String> env = Map.of(StrataCli.DATA_DIR_ENV, envDir.toString());

        Cli.run(env, "volume", "create", "aa", "--size", "1Mi", "--data-dir", optionDir.toString()).ok();
        Cli.run(env, "--data-dir", optionDir.toString(), "volume", "create", "bb", "--size", "1Mi").ok();
        Cli.run(env, "volume", "create", "cc", "--size", "1Mi").ok();

        assertThat(Cli.run(env, "--data-dir", optionDir.toString(), "volume", "ls").ok()).contains("aa ", "bb ").doesNotContain("cc ");
        assertThat(Cli.run(env, "volume", "ls").ok()).contains("cc ").doesNotContain("aa ");
        assertThat(Files.isDirectory(envDir)).isTrue();
    }

    private byte[] export(String ref) throws IOException {
        Path out = tmp.resolve(ref.replace('@', '_') + ".export");
        cli.ok("volume", "export", ref, out.toString());
        return Files.readAllBytes(out);
    }

    /** Random data in some 4 KiB blocks, zeroes in the others (including long runs), and an odd length. */
    static byte[] imageWithHoles(int length, long seed) {
        Random random = new Random(seed);
        byte[] image = new byte[length];
        for (int block = 0; block * 4096 < length; block++) {
            boolean data = block % 5 == 0 || (block / 64) % 3 == 1 && block % 2 == 0;
            if (data) {
                int start = block * 4096;
                byte[] chunk = new byte[Math.min(4096, length - start)];
                random.nextBytes(chunk);
                chunk[0] = 1; // never all zero by chance
                System.arraycopy(chunk, 0, image, start, chunk.length);
            }
        }
        return image;
    }

    static byte[] filled(int length, byte value) {
        byte[] bytes = new byte[length];
        java.util.Arrays.fill(bytes, value);
        return bytes;
    }

    /** Bytes the file system allocated for a file, from stat(1): the JDK does not expose st_blocks. */
    static long allocatedOnDisk(Path file) throws IOException {
        Process stat = new ProcessBuilder("stat", "--format=%b %B", file.toString()).redirectErrorStream(true).start();
        String[] blocksAndUnit = new String(stat.getInputStream().readAllBytes()).strip().split(" ");
        try {
            assertThat(stat.waitFor()).as("stat %s", file).isZero();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        return Long.parseLong(blocksAndUnit[0]) * Long.parseLong(blocksAndUnit[1]);
    }
}
