package io.strata.server.api;

import static io.strata.server.api.ApiHarness.MiB;
import static io.strata.server.api.ApiHarness.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.domain.VolumeName;
import io.strata.server.http.ProblemType;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Backups over real HTTP: made as jobs, listed with their state, verified, restored, deleted; and the backup target. */
class BackupsApiTest {
    @TempDir
    Path tmp;
    ApiHarness api;
    byte[] content = new byte[(int) (2 * MiB)];

    @BeforeEach
    void start() throws Exception {
        api = ApiHarness.start(tmp);
        api.post("/api/v1/volumes", Map.of("name", "db", "sizeBytes", 8 * MiB)).expect(201);
        new Random(7).nextBytes(content);
        api.server.store().open(VolumeName.of("db")).writeAt(ByteBuffer.wrap(content), 2 * MiB); // one 2 MiB backup block
    }

    @AfterEach
    void stop() throws Exception {
        api.close();
    }

    /** Backs db up and returns the completed job. */
    private JsonNode backup(Object body) throws Exception {
        ApiHarness.Answer started = api.post("/api/v1/volumes/db/backups", body);
        JsonNode job = started.expect(202);
        assertThat(started.header("Location")).isEqualTo("/api/v1/jobs/" + job.get("id").asText());
        JsonNode done = api.awaitJob(started.header("Location"));
        assertThat(done.get("state").asText()).as("job %s", done).isEqualTo("complete");
        return done;
    }

    @Test
    void backUpListGetVerifyRestoreAndDelete() throws Exception {
        JsonNode job = backup(Map.of("name", "first", "labels", Map.of("team", "a"), "compression", "zstd"));
        assertThat(job.get("id").asText()).isEqualTo("backup@first");
        assertThat(job.get("kind").asText()).isEqualTo("backup");
        assertThat(job.get("volume").asText()).isEqualTo("db");
        assertThat(job.get("snapshot").asText()).as("a snapshot was taken for it").isEqualTo("first");
        assertThat(job.get("compression").asText()).isEqualTo("zstd");
        assertThat(job.get("progress").get("percent").asInt()).isEqualTo(100);
        assertThat(job.get("progress").get("bytesDone").asLong()).isEqualTo(2 * MiB);
        assertThat(job.get("progress").get("blocksNew").asLong()).isEqualTo(1);
        assertThat(job.get("finished").asText()).isNotEmpty();
        JsonNode second = backup(null); // no body at all: every field is optional
        String secondName = second.get("backup").asText();
        assertThat(secondName).startsWith("backup-");

        JsonNode volumes = api.get("/api/v1/backup-volumes").expect(200);
        assertThat(volumes.findValuesAsText("name")).containsExactly("db");
        assertThat(api.get("/api/v1/backup-volumes/db").expect(200).get("lastBackup").asText()).isEqualTo(secondName);
        JsonNode backups = api.get("/api/v1/backup-volumes/db/backups").expect(200);
        // oldest first, by snapshot time in whole seconds: two backups within a second may come in either order
        assertThat(backups.findValuesAsText("name")).containsExactlyInAnyOrder("first", secondName);
        JsonNode first = api.get("/api/v1/backup-volumes/db/backups/first").expect(200);
        assertThat(first).isEqualTo(byName(backups, "first"));
        assertThat(first.get("state").asText()).isEqualTo("complete");
        assertThat(first.get("handle").asText()).isEqualTo("bak://db/first");
        assertThat(first.get("labels").get("team").asText()).isEqualTo("a");
        assertThat(first.get("job").asText()).isEqualTo("backup@first");
        assertThat(first.get("dataBytes").asLong()).isEqualTo(2 * MiB);
        assertThat(byName(backups, secondName).get("incremental").asBoolean()).isTrue();

        JsonNode verified = api.post("/api/v1/backup-volumes/db/backups/first/verify", null).expect(200);
        assertThat(verified.get("whole").asBoolean()).isTrue();
        assertThat(verified.get("blocks").asLong()).isEqualTo(1);

        ApiHarness.Answer restoring = api.post("/api/v1/backup-volumes/db/backups/first/restore", Map.of("volume", "back"));
        JsonNode restore = restoring.expect(202);
        assertThat(restoring.header("Location")).isEqualTo("/api/v1/jobs/restore@back");
        assertThat(restore.get("kind").asText()).isEqualTo("restore");
        assertThat(restore.get("backupVolume").asText()).isEqualTo("db");
        assertThat(api.awaitJob(restoring.header("Location")).get("state").asText()).isEqualTo("complete");
        JsonNode restored = api.get("/api/v1/volumes/back").expect(200);
        assertThat(restored.get("state").asText()).isEqualTo("ready");
        assertThat(restored.get("source").asText()).isEqualTo("bak://db/first");
        assertThat(restored.get("restore").get("job").asText()).isEqualTo("restore@back");
        ByteBuffer data = ByteBuffer.allocate(content.length);
        api.server.store().open(VolumeName.of("back")).readAt(data, 2 * MiB);
        assertThat(data.array()).isEqualTo(content);

        JsonNode deleted = api.delete("/api/v1/backup-volumes/db/backups/first").expect(200);
        assertThat(deleted.get("backup").asText()).isEqualTo("first");
        assertThat(deleted.get("removedBlocks").asLong()).as("the second backup still uses the block").isZero();
        assertProblem(api.get("/api/v1/backup-volumes/db/backups/first"), ProblemType.NOT_FOUND);
        assertProblem(api.delete("/api/v1/backup-volumes/db/backups/first"), ProblemType.NOT_FOUND);
        assertThat(api.get("/api/v1/volumes/db/snapshots").json().findValuesAsText("name")).as("its snapshot went with it")
                .containsExactly(secondName);

        api.delete("/api/v1/backup-volumes/db").expect(204);
        assertThat(api.get("/api/v1/backup-volumes").json()).isEmpty();
        assertProblem(api.get("/api/v1/backup-volumes/db"), ProblemType.NOT_FOUND);
        assertProblem(api.get("/api/v1/backup-volumes/db/backups"), ProblemType.NOT_FOUND);
    }

    private static JsonNode byName(JsonNode list, String name) {
        for (JsonNode item : list) {
            if (item.get("name").asText().equals(name)) {
                return item;
            }
        }
        throw new AssertionError(name + " is not in " + list);
    }

    @Test
    void aBackupOfAChosenSnapshotLeavesThatSnapshotWhenItGoes() throws Exception {
        api.post("/api/v1/volumes/db/snapshots", Map.of("name", "keep")).expect(201);
        JsonNode job = backup(Map.of("snapshot", "keep", "full", true));
        assertThat(job.get("snapshot").asText()).isEqualTo("keep");
        assertThat(job.get("mode").asText()).isEqualTo("full");
        api.delete("/api/v1/backup-volumes/db/backups/" + job.get("backup").asText()).expect(200);
        assertThat(api.get("/api/v1/volumes/db/snapshots/keep").status()).isEqualTo(200);
    }

    @Test
    void aDamagedBlockIsFoundByVerifyAndARestoreOfItFails() throws Exception {
        backup(Map.of("name", "hurt"));
        Path block;
        try (Stream<Path> files = Files.walk(api.dataDir.resolve("backups"))) {
            block = files.filter(p -> p.toString().endsWith(".blk")).findFirst().orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(block);
        bytes[bytes.length / 2] ^= 0x40;
        Files.write(block, bytes);

        JsonNode verified = api.post("/api/v1/backup-volumes/db/backups/hurt/verify", null).expect(200);
        assertThat(verified.get("whole").asBoolean()).isFalse();
        assertThat(verified.get("problems")).hasSize(1);
        ApiHarness.Answer restoring = api.post("/api/v1/backup-volumes/db/backups/hurt/restore", Map.of("volume", "bad"));
        JsonNode job = api.awaitJob(restoring.header("Location"));
        assertThat(job.get("state").asText()).isEqualTo("error");
        assertThat(job.get("error").asText()).isNotBlank();
        assertThat(api.get("/api/v1/volumes/bad").json().get("state").asText()).isEqualTo("restore-failed");
        assertThat(assertProblem(api.post("/api/v1/volumes/bad/snapshots", Map.of("name", "x")), ProblemType.FAILED_PRECONDITION))
                .contains("restore");
    }

    @Test
    void aBackupVolumeOfSixteenMiBBlocksKeepsThem() throws Exception {
        backup(Map.of("name", "big", "blockSize", "16Mi"));
        assertThat(api.get("/api/v1/backup-volumes/db/backups/big").expect(200).get("blockSize").asLong()).isEqualTo(16 * MiB);
        backup(Map.of("name", "next")); // no block size: the backup volume's own
        assertThat(api.get("/api/v1/backup-volumes/db/backups/next").expect(200).get("blockSize").asLong()).isEqualTo(16 * MiB);
        ApiHarness.Answer other = api.post("/api/v1/volumes/db/backups", Map.of("name", "small", "blockSize", "2Mi"));
        JsonNode failed = api.awaitJob(other.header("Location"));
        assertThat(failed.get("state").asText()).isEqualTo("error");
        assertThat(failed.get("error").asText()).contains("block size cannot change");
        assertThat(assertProblem(api.post("/api/v1/volumes/db/backups", Map.of("blockSize", "4Mi")), ProblemType.INVALID_ARGUMENT))
                .contains("2Mi (the default) or 16Mi");
    }

    @Test
    void refusals() throws Exception {
        backup(Map.of("name", "one"));
        assertThat(assertProblem(api.post("/api/v1/volumes/db/backups", Map.of("name", "one")), ProblemType.ALREADY_EXISTS))
                .contains("one");
        assertProblem(api.post("/api/v1/volumes/db/backups", Map.of("compression", "brotli")), ProblemType.INVALID_ARGUMENT);
        assertProblem(api.post("/api/v1/volumes/db/backups", Map.of("snapshot", "none")), ProblemType.NOT_FOUND);
        assertProblem(api.post("/api/v1/volumes/db/backups", Map.of("name", "bad name")), ProblemType.INVALID_ARGUMENT);
        assertProblem(api.post("/api/v1/volumes/none/backups", null), ProblemType.NOT_FOUND);
        assertProblem(api.get("/api/v1/backup-volumes/none"), ProblemType.NOT_FOUND);
        assertProblem(api.get("/api/v1/backup-volumes/db/backups/none"), ProblemType.NOT_FOUND);
        assertProblem(api.post("/api/v1/backup-volumes/db/backups/none/verify", null), ProblemType.NOT_FOUND);
        assertProblem(api.post("/api/v1/backup-volumes/db/backups/one/restore", "{}"), ProblemType.INVALID_ARGUMENT);
        assertThat(assertProblem(api.post("/api/v1/backup-volumes/db/backups/one/restore", Map.of("volume", "db")),
                ProblemType.ALREADY_EXISTS)).contains("new volume");
        assertThat(assertProblem(api.post("/api/v1/backup-volumes/db/backups/one/restore", Map.of("volume", "small", "sizeBytes", MiB)),
                ProblemType.OUT_OF_RANGE)).contains("at least");
        assertProblem(api.get("/api/v1/volumes/small"), ProblemType.NOT_FOUND);
        assertProblem(api.get("/api/v1/jobs/backup@none"), ProblemType.NOT_FOUND);
        assertThat(assertProblem(api.get("/api/v1/jobs/whatever"), ProblemType.NOT_FOUND)).contains("backup@NAME");
    }

    @Test
    void jobsAreListedAndFiltered() throws Exception {
        backup(Map.of("name", "b1"));
        api.awaitJob(api.post("/api/v1/backup-volumes/db/backups/b1/restore", Map.of("volume", "r1")).header("Location"));
        assertThat(api.get("/api/v1/jobs").expect(200).findValuesAsText("id")).containsExactly("backup@b1", "restore@r1");
        assertThat(api.get("/api/v1/jobs?kind=restore").expect(200).findValuesAsText("id")).containsExactly("restore@r1");
        assertThat(api.get("/api/v1/jobs?state=complete&kind=backup").expect(200).findValuesAsText("id")).containsExactly("backup@b1");
        assertThat(api.get("/api/v1/jobs?state=running").expect(200)).isEmpty();
        assertProblem(api.get("/api/v1/jobs?kind=copy"), ProblemType.INVALID_ARGUMENT);
    }

    @Test
    void theBackupTargetCanMoveAndBackAndABadOneIsRefused() throws Exception {
        JsonNode target = api.get("/api/v1/backup-target").expect(200);
        String configured = "file://" + api.dataDir.resolve("backups");
        assertThat(target.get("url").asText()).isEqualTo(configured);
        assertThat(target.get("source").asText()).isEqualTo("configured");
        assertThat(target.get("savedAt").isNull()).isTrue();

        String elsewhere = "file://" + tmp.resolve("elsewhere");
        // not there: maybe a mount point with nothing mounted, so refused unless asked to create it
        assertThat(assertProblem(api.put("/api/v1/backup-target", Map.of("url", elsewhere)), ProblemType.FAILED_PRECONDITION))
                .contains("does not exist").contains("create");
        assertThat(tmp.resolve("elsewhere")).doesNotExist();
        assertThat(api.get("/api/v1/backup-target").expect(200).get("url").asText()).isEqualTo(configured);
        Files.writeString(tmp.resolve("a-file"), "x");
        assertThat(assertProblem(api.put("/api/v1/backup-target", Map.of("url", "file://" + tmp.resolve("a-file"), "create", true)),
                ProblemType.FAILED_PRECONDITION)).contains("is not a directory");
        JsonNode moved = api.put("/api/v1/backup-target", Map.of("url", elsewhere, "create", true)).expect(200);
        assertThat(moved.get("url").asText()).isEqualTo(elsewhere);
        assertThat(moved.get("source").asText()).isEqualTo("saved");
        assertThat(moved.get("configured").asText()).isEqualTo(configured);
        assertThat(assertProblem(api.put("/api/v1/backup-target", Map.of("url", "ftp://host/x")), ProblemType.INVALID_ARGUMENT))
                .contains("ftp");
        assertProblem(api.put("/api/v1/backup-target", Map.of("url", "file://relative/path")), ProblemType.INVALID_ARGUMENT);
        assertProblem(api.put("/api/v1/backup-target", "{}"), ProblemType.INVALID_ARGUMENT);
        assertThat(api.get("/api/v1/info").expect(200).get("backupTarget").asText()).isEqualTo(elsewhere);

        backup(Map.of("name", "there"));
        assertThat(Files.isDirectory(tmp.resolve("elsewhere/backupstore"))).isTrue();
        assertThat(api.get("/api/v1/backup-volumes/db/backups").json().findValuesAsText("name")).containsExactly("there");

        JsonNode back = api.delete("/api/v1/backup-target").expect(200);
        assertThat(back.get("url").asText()).isEqualTo(configured);
        assertThat(back.get("source").asText()).isEqualTo("configured");
        assertThat(api.get("/api/v1/backup-volumes").json()).isEmpty();
    }

    @Test
    void aRunningBackupIsCancelledAndThenDeletedWithoutATrace() throws Exception {
        api.close();
        api = ApiHarness.startWithLockSettle(tmp.resolve("slow"), 2); // the backup waits 2 s for rival lockers: it is running
        api.post("/api/v1/volumes", Map.of("name", "db", "sizeBytes", 8 * MiB)).expect(201);
        api.server.store().open(VolumeName.of("db")).writeAt(ByteBuffer.wrap(content), 2 * MiB);
        ApiHarness.Answer started = api.post("/api/v1/volumes/db/backups", Map.of("name", "doomed"));
        started.expect(202);
        String location = started.header("Location");

        JsonNode cancelled = api.post(location + "/cancel", null).expect(200);
        assertThat(cancelled.get("state").asText()).isEqualTo("error");
        assertThat(cancelled.get("error").asText()).contains("cancelled", "asked through the REST API");
        JsonNode again = api.post(location + "/cancel", null).expect(409);
        assertThat(again.get("detail").asText()).contains("has already ended");
        assertThat(api.post("/api/v1/jobs/backup@nope/cancel", null).expect(404).get("detail").asText()).contains("no job");

        assertThat(api.delete("/api/v1/backup-volumes/db/backups/doomed").expect(200).get("backup").asText()).isEqualTo("doomed");
        // cancelled while it waited 2 s for rivals of its lock, the backup stopped there: it wrote nothing, not even its backup volume
        assertThat(api.get("/api/v1/backup-volumes").expect(200).findValuesAsText("name")).doesNotContain("db");
        assertThat(backup(Map.of("name", "after")).get("state").asText()).as("the volume backs up again").isEqualTo("complete");
        assertThat(api.get("/api/v1/backup-volumes/db/backups").expect(200).findValuesAsText("name")).containsExactly("after");
    }

    @Test
    void restoringOrVerifyingAFailedBackupSaysItIsFailedAndWhatToDo() throws Exception {
        api.close();
        api = ApiHarness.startWithLockSettle(tmp.resolve("slow"), 2); // the backup waits 2 s for rival lockers: it is running
        api.post("/api/v1/volumes", Map.of("name", "db", "sizeBytes", 8 * MiB)).expect(201);
        ApiHarness.Answer started = api.post("/api/v1/volumes/db/backups", Map.of("name", "doomed"));
        started.expect(202);
        String location = started.header("Location");
        api.post(location + "/cancel", null).expect(200);
        assertThat(api.get("/api/v1/backup-volumes/db/backups/doomed").expect(200).get("state").asText()).isEqualTo("failed");

        String restored = assertProblem(api.post("/api/v1/backup-volumes/db/backups/doomed/restore", Map.of("volume", "db2")),
                ProblemType.FAILED_PRECONDITION);
        assertThat(restored).contains("doomed", "is failed", "restore another backup");
        assertThat(api.get("/api/v1/volumes").expect(200).findValuesAsText("name")).containsExactly("db");
        String verified = assertProblem(api.post("/api/v1/backup-volumes/db/backups/doomed/verify", null), ProblemType.FAILED_PRECONDITION);
        assertThat(verified).contains("doomed", "is failed", "verify another backup");
    }

    @Test
    void infoSaysWhatThisServerIs() {
        JsonNode info = api.get("/api/v1/info").expect(200);
        assertThat(info.get("nodeId").asText()).isEqualTo("node-1");
        assertThat(info.get("driverName").asText()).isEqualTo("api.example.com");
        assertThat(info.get("dataDir").asText()).isEqualTo(api.dataDir.toString());
        assertThat(info.get("freeBytes").asLong()).isPositive();
        assertThat(List.of(info.get("version").asText())).doesNotContain("");
    }
}
