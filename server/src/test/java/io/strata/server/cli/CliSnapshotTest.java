package io.strata.server.cli;

import static io.strata.server.cli.CliVolumeTest.imageWithHoles;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Snapshot commands end to end: create, ls, diff, revert, rm. */
class CliSnapshotTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MiB = 1 << 20;

    @TempDir
    Path tmp;

    private Cli cli;
    private byte[] first;

    @BeforeEach
    void setUp() throws IOException {
        cli = new Cli(tmp.resolve("data"));
        cli.ok("volume", "create", "vv", "--size", "4Mi");
        first = imageWithHoles(4 * MiB, 21);
        cli.ok("volume", "import", "vv", Files.write(tmp.resolve("first.img"), first).toString());
    }

    @Test
    void createAndList() throws IOException {
        assertThat(cli.ok("snapshot", "create", "vv", "s1", "--label", "app=pg", "--label", "tier=gold"))
                .isEqualTo("created snapshot vv@s1 (4Mi)\n");
        cli.ok("snapshot", "create", "vv", "s2");

        List<String> lines = cli.ok("snapshot", "ls", "vv").lines().toList();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).matches("NAME +CREATED +SIZE +PARENT +USER +LABELS");
        assertThat(lines.get(1)).matches("s1 +\\S+Z +4Mi +- +yes +app=pg,tier=gold");
        assertThat(lines.get(2)).matches("s2 +\\S+Z +4Mi +s1 +yes +-");

        JsonNode json = JSON.readTree(cli.ok("snapshot", "ls", "vv", "--json"));
        assertThat(json).hasSize(2);
        JsonNode s1 = json.get(0);
        assertThat(s1.get("name").asText()).isEqualTo("s1");
        assertThat(Instant.parse(s1.get("created").asText())).isBeforeOrEqualTo(Instant.now());
        assertThat(s1.get("sizeBytes").asLong()).isEqualTo(4L * MiB);
        assertThat(s1.get("parent").isNull()).isTrue();
        assertThat(s1.get("userCreated").asBoolean()).isTrue();
        assertThat(s1.get("labels").get("app").asText()).isEqualTo("pg");
        assertThat(s1.get("labels").get("tier").asText()).isEqualTo("gold");
        assertThat(json.get(1).get("parent").asText()).isEqualTo("s1");
        assertThat(json.get(1).get("labels").isEmpty()).isTrue();

        assertThat(JSON.readTree(cli.ok("volume", "info", "vv", "--json")).get("snapshots").asInt()).isEqualTo(2);
    }

    @Test
    void listWithoutSnapshots() {
        assertThat(cli.ok("snapshot", "ls", "vv")).contains("no snapshots of vv yet");
        assertThat(cli.ok("snapshot", "ls", "vv", "--json").strip()).isEqualTo("[ ]");
    }

    @Test
    void diffGivesTheChangedRanges() throws IOException {
        cli.ok("snapshot", "create", "vv", "s1");
        byte[] patch = new byte[8192];
        new Random(1).nextBytes(patch);
        cli.ok("volume", "import", "vv", Files.write(tmp.resolve("patch.img"), patch).toString(), "--offset", "1Mi");
        cli.ok("snapshot", "create", "vv", "s2");

        JsonNode diff = JSON.readTree(cli.ok("snapshot", "diff", "vv", "s1", "s2", "--json"));
        assertThat(diff.get("volume").asText()).isEqualTo("vv");
        assertThat(diff.get("from").asText()).isEqualTo("s1");
        assertThat(diff.get("to").asText()).isEqualTo("s2");
        assertThat(diff.get("changedBytes").asLong()).isEqualTo(8192);
        long total = 0;
        for (JsonNode range : diff.get("ranges")) {
            assertThat(range.get("offset").asLong()).isBetween(1L * MiB, 1L * MiB + 8192 - 1);
            assertThat(range.get("offset").asLong() + range.get("length").asLong()).isLessThanOrEqualTo(1L * MiB + 8192);
            total += range.get("length").asLong();
        }
        assertThat(total).isEqualTo(8192);

        String human = cli.ok("snapshot", "diff", "vv", "s1", "s2");
        assertThat(human.lines().toList().getFirst()).matches("OFFSET +LENGTH");
        assertThat(human).contains("1048576").endsWith("8.0 KiB changed from s1 to s2\n");

        // from the beginning: at least every data block of the first import
        JsonNode fromStart = JSON.readTree(cli.ok("snapshot", "diff", "vv", "s1", "--json"));
        assertThat(fromStart.get("from").isNull()).isTrue();
        assertThat(fromStart.get("changedBytes").asLong()).isGreaterThanOrEqualTo(dataBytes(first));
        assertThat(cli.ok("snapshot", "diff", "vv", "s2", "s2")).isEqualTo("0 ranges, 0 B changed from s2 to s2\n");
    }

    @Test
    void zeroBlocksOfAnImportOverHolesAreNoChange() throws IOException {
        cli.ok("volume", "expand", "vv", "--size", "8Mi");
        cli.ok("snapshot", "create", "vv", "s1");
        byte[] patch = new byte[64 * 1024];
        new Random(2).nextBytes(patch);
        java.util.Arrays.fill(patch, 16 * 1024, patch.length, (byte) 0);
        cli.ok("volume", "import", "vv", Files.write(tmp.resolve("patch.img"), patch).toString(), "--offset", "6Mi");
        cli.ok("snapshot", "create", "vv", "s2");

        JsonNode diff = JSON.readTree(cli.ok("snapshot", "diff", "vv", "s1", "s2", "--json"));

        assertThat(diff.get("changedBytes").asLong()).isEqualTo(16 * 1024);
        assertThat(diff.get("ranges").get(0).get("offset").asLong()).isEqualTo(6L * MiB);
    }

    @Test
    void revertBringsBackTheSnapshotContent() throws IOException {
        cli.ok("snapshot", "create", "vv", "before");
        cli.ok("volume", "import", "vv", Files.write(tmp.resolve("second.img"), imageWithHoles(3 * MiB, 22)).toString());
        assertThat(export("vv")).isNotEqualTo(first);

        assertThat(cli.ok("snapshot", "revert", "vv", "before")).isEqualTo("reverted vv to snapshot before\n");
        assertThat(export("vv")).isEqualTo(first);
    }

    @Test
    void removeKeepsTheVolumeContent() throws IOException {
        cli.ok("snapshot", "create", "vv", "s1");
        cli.ok("volume", "import", "vv", Files.write(tmp.resolve("second.img"), imageWithHoles(MiB, 23)).toString());
        byte[] head = export("vv");
        cli.ok("snapshot", "create", "vv", "s2");

        assertThat(cli.ok("snapshot", "rm", "vv", "s1")).isEqualTo("removed snapshot vv@s1\n");
        assertThat(JSON.readTree(cli.ok("snapshot", "ls", "vv", "--json")).findValuesAsText("name")).containsExactly("s2");
        assertThat(export("vv")).isEqualTo(head);
        assertThat(export("vv@s2")).isEqualTo(head);
        assertThat(cli.run("volume", "export", "vv@s1", tmp.resolve("gone.img").toString()).exitCode())
                .isEqualTo(ExitCode.NOT_FOUND.status);
    }

    private byte[] export(String ref) throws IOException {
        Path out = tmp.resolve(ref.replace('@', '_') + ".export");
        cli.ok("volume", "export", ref, out.toString());
        return Files.readAllBytes(out);
    }

    private static long dataBytes(byte[] image) {
        long bytes = 0;
        for (int start = 0; start < image.length; start += 4096) {
            for (int i = start; i < Math.min(image.length, start + 4096); i++) {
                if (image[i] != 0) {
                    bytes += 4096;
                    break;
                }
            }
        }
        return bytes;
    }
}
