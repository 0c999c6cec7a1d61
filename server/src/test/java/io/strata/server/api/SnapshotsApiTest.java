package io.strata.server.api;

import static io.strata.server.api.ApiHarness.MiB;
import static io.strata.server.api.ApiHarness.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.domain.VolumeName;
import io.strata.server.http.ProblemType;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Snapshots over real HTTP: take, list, get, changes, revert, delete, and taking one that is backed up. */
class SnapshotsApiTest {
    @TempDir
    Path tmp;
    ApiHarness api;

    @BeforeEach
    void start() throws Exception {
        api = ApiHarness.start(tmp);
        api.post("/api/v1/volumes", Map.of("name", "db", "sizeBytes", 8 * MiB)).expect(201);
    }

    @AfterEach
    void stop() throws Exception {
        api.close();
    }

    private void write(long offset, byte... data) throws Exception {
        api.server.store().open(VolumeName.of("db")).writeAt(ByteBuffer.wrap(data), offset);
    }

    private byte read(long offset) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(1);
        api.server.store().open(VolumeName.of("db")).readAt(b, offset);
        return b.get(0);
    }

    @Test
    void takeListGetChangesAndDelete() throws Exception {
        write(0, (byte) 1);
        ApiHarness.Answer taken = api.post("/api/v1/volumes/db/snapshots", Map.of("name", "s1", "labels", Map.of("app", "pg")));
        JsonNode s1 = taken.expect(201);
        assertThat(taken.header("Location")).isEqualTo("/api/v1/volumes/db/snapshots/s1");
        assertThat(s1.get("handle").asText()).isEqualTo("ss://db/s1");
        assertThat(s1.get("type").asText()).isEqualTo("snapshot");
        assertThat(s1.get("ready").asBoolean()).isTrue();
        assertThat(s1.get("sizeBytes").asLong()).isEqualTo(8 * MiB);
        assertThat(s1.get("labels")).as("the user's labels, not Strata's own").isEqualTo(api.json(Map.of("app", "pg")));
        assertThat(s1.get("parent").isNull()).isTrue();
        write(4 * MiB, (byte) 2);
        JsonNode s2 = api.post("/api/v1/volumes/db/snapshots", "{\"name\":\"s2\",\"type\":\"snapshot\"}").expect(201);
        assertThat(s2.get("parent").asText()).isEqualTo("s1");

        assertThat(api.get("/api/v1/volumes/db/snapshots").expect(200).findValuesAsText("name")).containsExactly("s1", "s2");
        assertThat(api.get("/api/v1/snapshots").expect(200).findValuesAsText("handle")).containsExactly("ss://db/s1", "ss://db/s2");
        assertThat(api.get("/api/v1/volumes/db/snapshots/s2").expect(200)).isEqualTo(s2);

        JsonNode all = api.get("/api/v1/volumes/db/snapshots/s2/changes").expect(200);
        assertThat(all.get("from").isNull()).isTrue();
        assertThat(all.get("changedBytes").asLong()).isEqualTo(8192);
        JsonNode since = api.get("/api/v1/volumes/db/snapshots/s2/changes?from=s1").expect(200);
        assertThat(since.get("ranges")).hasToString("[{\"offset\":4194304,\"length\":4096}]");
        assertProblem(api.get("/api/v1/volumes/db/snapshots/s2/changes?from=none"), ProblemType.NOT_FOUND);
        assertProblem(api.get("/api/v1/volumes/db/snapshots/s2/changes?from=a/b"), ProblemType.INVALID_ARGUMENT);

        api.delete("/api/v1/volumes/db/snapshots/s1").expect(204);
        assertProblem(api.get("/api/v1/volumes/db/snapshots/s1"), ProblemType.NOT_FOUND);
        assertProblem(api.delete("/api/v1/volumes/db/snapshots/s1"), ProblemType.NOT_FOUND);
        assertThat(read(0)).as("deleting a snapshot changes no data").isEqualTo((byte) 1);
    }

    @Test
    void refusals() {
        api.post("/api/v1/volumes/db/snapshots", Map.of("name", "s1")).expect(201);
        assertThat(assertProblem(api.post("/api/v1/volumes/db/snapshots", Map.of("name", "s1")), ProblemType.ALREADY_EXISTS))
                .contains("s1");
        api.post("/api/v1/volumes", Map.of("name", "other", "sizeBytes", MiB)).expect(201);
        assertThat(assertProblem(api.post("/api/v1/volumes/other/snapshots", Map.of("name", "s1")), ProblemType.ALREADY_EXISTS))
                .as("a snapshot name names one snapshot across volumes").contains("'db'");
        assertThat(assertProblem(api.post("/api/v1/volumes/db/snapshots", Map.of("name", "s3", "type", "clone")),
                ProblemType.INVALID_ARGUMENT)).contains("'snapshot'").contains("'backup'");
        assertProblem(api.post("/api/v1/volumes/db/snapshots", "{}"), ProblemType.INVALID_ARGUMENT);
        assertProblem(api.post("/api/v1/volumes/none/snapshots", Map.of("name", "s4")), ProblemType.NOT_FOUND);
        assertProblem(api.get("/api/v1/volumes/none/snapshots"), ProblemType.NOT_FOUND);
        assertProblem(api.get("/api/v1/volumes/db/snapshots/none"), ProblemType.NOT_FOUND);
        assertProblem(api.post("/api/v1/volumes/db/snapshots/none/revert", null), ProblemType.NOT_FOUND);
    }

    @Test
    void revertBringsTheSnapshotsContentBackButNotWhileAttached() throws Exception {
        write(0, (byte) 1);
        api.post("/api/v1/volumes/db/snapshots", Map.of("name", "good")).expect(201);
        write(0, (byte) 66);
        api.server.volumes().publish(VolumeName.of("db"), "node-1", false);
        assertThat(assertProblem(api.post("/api/v1/volumes/db/snapshots/good/revert", null), ProblemType.FAILED_PRECONDITION))
                .contains("detach");
        assertThat(read(0)).isEqualTo((byte) 66);
        api.server.volumes().unpublish(VolumeName.of("db"), "node-1");

        JsonNode volume = api.post("/api/v1/volumes/db/snapshots/good/revert", null).expect(200);
        assertThat(volume.get("name").asText()).isEqualTo("db");
        assertThat(read(0)).isEqualTo((byte) 1);
        assertThat(api.get("/api/v1/volumes/db/snapshots").json().findValuesAsText("name")).as("the snapshot stays").containsExactly("good");
    }

    @Test
    void aSnapshotOfTypeBackupIsAJobAndBecomesReady() throws Exception {
        write(0, (byte) 5);
        ApiHarness.Answer taken = api.post("/api/v1/volumes/db/snapshots", Map.of("name", "nightly", "type", "backup"));
        JsonNode snapshot = taken.expect(202);
        assertThat(snapshot.get("type").asText()).isEqualTo("backup");
        assertThat(snapshot.get("handle").asText()).startsWith("bak://db/backup-");
        assertThat(snapshot.get("job").asText()).isEqualTo("backup@nightly");
        assertThat(taken.header("Location")).isEqualTo("/api/v1/jobs/backup@nightly");
        JsonNode job = api.awaitJob(taken.header("Location"));
        assertThat(job.get("state").asText()).as("job %s", job).isEqualTo("complete");

        JsonNode listed = api.get("/api/v1/volumes/db/snapshots").expect(200);
        assertThat(listed.findValuesAsText("handle")).containsExactly(snapshot.get("handle").asText());
        assertThat(listed.get(0).get("ready").asBoolean()).isTrue();
        assertThat(listed.get(0).get("percent").asInt()).isEqualTo(100);
        assertProblem(api.post("/api/v1/volumes/db/snapshots", Map.of("name", "nightly", "type", "backup")), ProblemType.ALREADY_EXISTS);
    }

    @Test
    void listingsByTypeAndSnapshotsListedWhileTheTargetIsBroken() throws Exception {
        write(0, (byte) 7);
        api.post("/api/v1/volumes/db/snapshots", Map.of("name", "s1")).expect(201);
        ApiHarness.Answer taken = api.post("/api/v1/volumes/db/snapshots", Map.of("name", "nightly", "type", "backup"));
        String backup = taken.expect(202).get("handle").asText();
        assertThat(api.awaitJob(taken.header("Location")).get("state").asText()).isEqualTo("complete");

        assertThat(api.get("/api/v1/volumes/db/snapshots").expect(200).findValuesAsText("handle")).containsExactlyInAnyOrder("ss://db/s1", backup);
        assertThat(api.get("/api/v1/volumes/db/snapshots?type=snapshot").expect(200).findValuesAsText("handle")).containsExactly("ss://db/s1");
        assertThat(api.get("/api/v1/volumes/db/snapshots?type=backup").expect(200).findValuesAsText("handle")).containsExactly(backup);
        assertThat(api.get("/api/v1/snapshots?type=snapshot").expect(200).findValuesAsText("handle")).containsExactly("ss://db/s1");
        assertThat(api.get("/api/v1/snapshots?type=backup").expect(200).findValuesAsText("handle")).containsExactly(backup);
        assertThat(assertProblem(api.get("/api/v1/snapshots?type=clone"), ProblemType.INVALID_ARGUMENT)).contains("snapshot").contains("backup");

        // a backup target that cannot be read: its directory is now a file
        Path target = api.dataDir.resolve("backups");
        java.nio.file.Files.move(target, tmp.resolve("backups-aside"));
        java.nio.file.Files.writeString(target, "not a directory");
        assertThat(assertProblem(api.get("/api/v1/volumes/db/snapshots"), ProblemType.FAILED_PRECONDITION))
                .as("listing backups reads the target").contains("is not a directory");
        assertThat(api.get("/api/v1/volumes/db/snapshots?type=snapshot").expect(200).findValuesAsText("handle")).containsExactly("ss://db/s1");
        assertThat(api.get("/api/v1/snapshots?type=snapshot").expect(200).findValuesAsText("handle")).containsExactly("ss://db/s1");
        api.delete("/api/v1/volumes/db?withSnapshots=true").expect(204);
        assertThat(api.get("/api/v1/volumes").expect(200)).isEmpty();
    }
}
