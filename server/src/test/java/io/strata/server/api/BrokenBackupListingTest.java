package io.strata.server.api;

import static io.strata.server.api.ApiHarness.MiB;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.backupstore.format.StoreLayout;
import io.strata.domain.VolumeName;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One cfg in the target that cannot be read: listings still answer, show it as broken with why
 * (naming the file, never its content), the target counts as up, and the broken backup can be deleted.
 */
class BrokenBackupListingTest {
    private static final String SECRET = "root:x:0:0:SECRET-LINE\n";

    @TempDir
    Path tmp;
    ApiHarness api;
    Path target;

    @BeforeEach
    void start() throws Exception {
        api = ApiHarness.start(tmp);
        target = Files.createDirectories(tmp.resolve("target"));
        api.put("/api/v1/backup-target", Map.of("url", "file://" + target)).expect(200);
        api.post("/api/v1/volumes", Map.of("name", "db", "sizeBytes", 8 * MiB)).expect(201);
        byte[] data = new byte[(int) (2 * MiB)];
        new Random(1).nextBytes(data);
        api.server.store().open(VolumeName.of("db")).writeAt(ByteBuffer.wrap(data), 0);
        api.awaitJob(api.post("/api/v1/volumes/db/backups", Map.of("name", "b1")).header("Location"));
        api.awaitJob(api.post("/api/v1/volumes/db/backups", Map.of("name", "b2")).header("Location"));
    }

    @AfterEach
    void stop() throws Exception {
        api.close();
    }

    private static List<JsonNode> list(JsonNode array) {
        List<JsonNode> out = new ArrayList<>();
        array.forEach(out::add);
        return out;
    }

    @Test
    void aBackupCfgThatIsNotJsonIsListedBrokenAndTheRestStillAnswer() throws Exception {
        Files.writeString(target.resolve(StoreLayout.backupConfig("db", "b2")), SECRET);

        PrometheusText metrics = PrometheusText.parse(api.get("/metrics").text());
        assertThat(metrics.value("strata_backup_target_up")).as("the target answers").isEqualTo(1);
        assertThat(metrics.value("strata_backups{state=\"broken\"}")).isEqualTo(1);
        assertThat(metrics.value("strata_backups{state=\"complete\"}")).isEqualTo(1);

        List<JsonNode> backups = list(api.get("/api/v1/backup-volumes/db/backups").expect(200));
        assertThat(backups).extracting(b -> b.get("name").asText() + "=" + b.get("state").asText())
                .containsExactlyInAnyOrder("b1=complete", "b2=broken");
        JsonNode broken = backups.stream().filter(b -> b.get("name").asText().equals("b2")).findFirst().orElseThrow();
        assertThat(broken.get("error").asText()).contains("backup_b2.cfg").contains("not valid JSON")
                .doesNotContain("SECRET").doesNotContain("root");
        assertThat(broken.get("handle").asText()).isEqualTo("bak://db/b2");

        List<JsonNode> snapshots = list(api.get("/api/v1/snapshots?type=backup").expect(200));
        assertThat(snapshots).extracting(s -> s.get("name").asText() + "=" + s.get("broken").asBoolean() + "," + s.get("ready").asBoolean())
                .containsExactlyInAnyOrder("b1=false,true", "b2=true,false");
        assertThat(api.get("/api/v1/snapshots").status()).isEqualTo(200);

        ApiHarness.assertProblem(api.post("/api/v1/backup-volumes/db/backups/b2/restore", Map.of("volume", "copy")),
                io.strata.server.http.ProblemType.FAILED_PRECONDITION);
        assertThat(api.get("/api/v1/backup-volumes/db/backups/b2").expect(200).get("state").asText()).isEqualTo("broken");
        api.delete("/api/v1/backup-volumes/db/backups/b2").expect(200);
        assertThat(list(api.get("/api/v1/backup-volumes/db/backups").expect(200))).extracting(b -> b.get("name").asText())
                .containsExactly("b1");
    }

    @Test
    void aVolumeCfgThatCannotBeReadIsABrokenBackupVolumeWhoseBackupsAreStillListed() throws Exception {
        Path volumeCfg = target.resolve(StoreLayout.volumeConfig("db"));
        Files.delete(volumeCfg);
        Files.createSymbolicLink(volumeCfg, Files.writeString(tmp.resolve("passwd"), SECRET));

        List<JsonNode> volumes = list(api.get("/api/v1/backup-volumes").expect(200));
        assertThat(volumes).singleElement().satisfies(v -> {
            assertThat(v.get("name").asText()).isEqualTo("db");
            assertThat(v.get("state").asText()).isEqualTo("broken");
            assertThat(v.get("error").asText()).contains("volume.cfg").contains("symbolic link").doesNotContain("SECRET");
        });
        assertThat(list(api.get("/api/v1/backup-volumes/db/backups").expect(200))).extracting(b -> b.get("state").asText())
                .containsExactly("complete", "complete");
        assertThat(list(api.get("/api/v1/snapshots?type=backup").expect(200))).hasSize(2);
        assertThat(PrometheusText.parse(api.get("/metrics").text()).value("strata_backup_target_up")).isEqualTo(1);
    }
}
