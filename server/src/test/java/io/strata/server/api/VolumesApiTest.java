package io.strata.server.api;

import static io.strata.server.api.ApiHarness.MiB;
import static io.strata.server.api.ApiHarness.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.domain.VolumeName;
import io.strata.server.http.ProblemType;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /api/v1/volumes} over real HTTP: every operation's answer and every refusal's problem. */
class VolumesApiTest {
    @TempDir
    Path tmp;
    ApiHarness api;

    @BeforeEach
    void start() throws Exception {
        api = ApiHarness.start(tmp);
    }

    @AfterEach
    void stop() throws Exception {
        api.close();
    }

    private JsonNode create(String name, long size) {
        return api.post("/api/v1/volumes", Map.of("name", name, "sizeBytes", size)).expect(201);
    }

    @Test
    void createListGetExpandDelete() {
        ApiHarness.Answer created = api.post("/api/v1/volumes", Map.of("name", "db", "sizeBytes", 8 * MiB));
        JsonNode volume = created.expect(201);
        assertThat(created.header("Location")).isEqualTo("/api/v1/volumes/db");
        assertThat(volume.get("name").asText()).isEqualTo("db");
        assertThat(volume.get("sizeBytes").asLong()).isEqualTo(8 * MiB);
        assertThat(volume.get("state").asText()).isEqualTo("ready");
        assertThat(volume.get("source").isNull()).isTrue();
        assertThat(volume.get("attachment").isNull()).isTrue();
        assertThat(volume.get("created").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");

        assertThat(api.post("/api/v1/volumes", "{\"name\":\"small\",\"sizeBytes\":5000}").expect(201).get("sizeBytes").asLong())
                .as("rounded up to 4 KiB").isEqualTo(8192);
        assertThat(api.post("/api/v1/volumes", "{\"name\":\"default\"}").expect(201).get("sizeBytes").asLong()).isEqualTo(1L << 30);
        assertThat(api.get("/api/v1/volumes").expect(200).findValuesAsText("name")).containsExactly("db", "default", "small");
        assertThat(api.get("/api/v1/volumes/db").expect(200)).isEqualTo(volume);

        assertThat(api.post("/api/v1/volumes/db/expand", Map.of("sizeBytes", 16 * MiB)).expect(200).get("sizeBytes").asLong())
                .isEqualTo(16 * MiB);
        assertThat(api.post("/api/v1/volumes/db/expand", Map.of("sizeBytes", 16 * MiB)).expect(200).get("sizeBytes").asLong())
                .as("the same size again is fine").isEqualTo(16 * MiB);
        assertThat(assertProblem(api.post("/api/v1/volumes/db/expand", Map.of("sizeBytes", 4 * MiB)), ProblemType.OUT_OF_RANGE))
                .contains("cannot shrink");
        assertThat(assertProblem(api.post("/api/v1/volumes/db/expand", "{}"), ProblemType.INVALID_ARGUMENT)).contains("sizeBytes");
        assertProblem(api.post("/api/v1/volumes/none/expand", Map.of("sizeBytes", 4 * MiB)), ProblemType.NOT_FOUND);

        assertThat(api.delete("/api/v1/volumes/db").status()).isEqualTo(204);
        assertThat(assertProblem(api.get("/api/v1/volumes/db"), ProblemType.NOT_FOUND)).contains("'db' does not exist");
        assertProblem(api.delete("/api/v1/volumes/db"), ProblemType.NOT_FOUND);
    }

    @Test
    void refusalsOnCreate() {
        create("db", 8 * MiB);
        assertThat(assertProblem(api.post("/api/v1/volumes", Map.of("name", "db", "sizeBytes", 8 * MiB)), ProblemType.ALREADY_EXISTS))
                .contains("already exists");
        assertThat(assertProblem(api.post("/api/v1/volumes", Map.of("name", "../etc")), ProblemType.INVALID_ARGUMENT)).contains("name");
        assertThat(assertProblem(api.post("/api/v1/volumes", "{\"sizeBytes\":4096}"), ProblemType.INVALID_ARGUMENT))
                .contains("'name' is required");
        assertProblem(api.post("/api/v1/volumes", Map.of("name", "neg", "sizeBytes", -1)), ProblemType.INVALID_ARGUMENT);
        assertThat(assertProblem(api.post("/api/v1/volumes", Map.of("name", "huge", "sizeBytes", 1L << 50)), ProblemType.OUT_OF_RANGE))
                .contains("largest");
        assertProblem(api.post("/api/v1/volumes", Map.of("name", "cc", "source", "volume:none")), ProblemType.NOT_FOUND);
        assertProblem(api.post("/api/v1/volumes", Map.of("name", "cc", "source", "ss://db/none")), ProblemType.NOT_FOUND);
        assertProblem(api.post("/api/v1/volumes", Map.of("name", "cc", "source", "bak://db/none")), ProblemType.NOT_FOUND);
        assertThat(assertProblem(api.post("/api/v1/volumes", Map.of("name", "cc", "source", "db")), ProblemType.INVALID_ARGUMENT))
                .contains("volume:NAME");
        assertProblem(api.post("/api/v1/volumes", Map.of("name", "cc", "source", "ftp://db/x")), ProblemType.INVALID_ARGUMENT);
        assertThat(assertProblem(api.post("/api/v1/volumes", Map.of("name", "cc", "sizeBytes", 4 * MiB, "source", "volume:db")),
                ProblemType.OUT_OF_RANGE)).contains("less than its source");
        assertThat(api.get("/api/v1/volumes").json().findValuesAsText("name")).containsExactly("db");
    }

    @Test
    void clonesOfAVolumeAndOfASnapshotCarryItsContent() throws Exception {
        create("db", 8 * MiB);
        api.server.store().open(VolumeName.of("db")).writeAt(ByteBuffer.wrap(new byte[] {1, 2, 3}), 0);
        api.post("/api/v1/volumes/db/snapshots", Map.of("name", "first")).expect(201);
        api.server.store().open(VolumeName.of("db")).writeAt(ByteBuffer.wrap(new byte[] {9}), 0);

        JsonNode ofVolume = api.post("/api/v1/volumes", Map.of("name", "copy", "source", "volume:db")).expect(201);
        assertThat(ofVolume.get("source").asText()).isEqualTo("volume:db");
        assertThat(ofVolume.get("sizeBytes").asLong()).isEqualTo(8 * MiB);
        JsonNode ofSnapshot = api.post("/api/v1/volumes", Map.of("name", "old", "sizeBytes", 16 * MiB, "source", "ss://db/first"))
                .expect(201);
        assertThat(ofSnapshot.get("source").asText()).isEqualTo("ss://db/first");
        assertThat(ofSnapshot.get("sizeBytes").asLong()).isEqualTo(16 * MiB);
        for (JsonNode created : List.of(ofVolume, ofSnapshot)) { // each copies in a job, shown with the volume and in the jobs
            JsonNode cloning = created.get("cloning");
            assertThat(cloning.get("job").asText()).isEqualTo("clone@" + created.get("name").asText());
            assertThat(cloning.get("source").asText()).isEqualTo(created.get("source").asText());
            JsonNode job = api.awaitJob("/api/v1/jobs/" + cloning.get("job").asText());
            assertThat(job.get("kind").asText()).isEqualTo("clone");
            assertThat(job.get("state").asText()).isEqualTo("complete");
            assertThat(job.get("source").asText()).isEqualTo("db");
            JsonNode done = api.get("/api/v1/volumes/" + created.get("name").asText()).expect(200);
            assertThat(done.get("state").asText()).isEqualTo("ready");
            assertThat(done.get("cloning").get("percent").asInt()).isEqualTo(100);
        }
        assertThat(api.get("/api/v1/jobs?kind=clone").json().findValuesAsText("id")).containsExactlyInAnyOrder("clone@copy", "clone@old");
        assertThat(read("copy", 3)).containsExactly(9, 2, 3);
        assertThat(read("old", 3)).containsExactly(1, 2, 3);
    }

    private byte[] read(String volume, int n) throws Exception {
        ByteBuffer buffer = ByteBuffer.allocate(n);
        api.server.store().open(VolumeName.of(volume)).readAt(buffer, 0);
        return buffer.array();
    }

    @Test
    void attachmentIsShownAndAnAttachedVolumeIsNotDeleted() throws Exception {
        create("db", 8 * MiB);
        assertThat(api.get("/api/v1/volumes/db/attachment").expect(200).get("attached").asBoolean()).isFalse();
        api.server.volumes().publish(VolumeName.of("db"), "node-7", true);
        JsonNode attachment = api.get("/api/v1/volumes/db/attachment").expect(200);
        assertThat(attachment.get("attached").asBoolean()).isTrue();
        assertThat(attachment.get("node").asText()).isEqualTo("node-7");
        assertThat(attachment.get("readOnly").asBoolean()).isTrue();
        assertThat(api.get("/api/v1/volumes/db").json().get("attachment").get("node").asText()).isEqualTo("node-7");
        assertThat(assertProblem(api.delete("/api/v1/volumes/db"), ProblemType.FAILED_PRECONDITION)).contains("detach");
        assertProblem(api.delete("/api/v1/volumes/db?withSnapshots=true"), ProblemType.FAILED_PRECONDITION);
        assertProblem(api.get("/api/v1/volumes/none/attachment"), ProblemType.NOT_FOUND);
        api.server.volumes().unpublish(VolumeName.of("db"), "node-7");
        api.delete("/api/v1/volumes/db").expect(204);
    }

    @Test
    void ofSixteenConcurrentPostsOfOneNameOneIsCreatedAndTheOthersAre409() throws Exception {
        int callers = 16;
        java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(callers);
        List<java.util.concurrent.Future<Integer>> answers = new java.util.ArrayList<>();
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(callers)) {
            for (int i = 0; i < callers; i++) {
                answers.add(pool.submit(() -> {
                    start.await();
                    return api.post("/api/v1/volumes", Map.of("name", "race", "sizeBytes", 8 * MiB)).status();
                }));
            }
            List<Integer> statuses = new java.util.ArrayList<>();
            for (var answer : answers) {
                statuses.add(answer.get(60, java.util.concurrent.TimeUnit.SECONDS));
            }
            assertThat(statuses).as("%s", statuses).filteredOn(status -> status == 201).hasSize(1);
            assertThat(statuses).as("%s", statuses).filteredOn(status -> status == 409).hasSize(callers - 1);
        }
        assertThat(assertProblem(api.post("/api/v1/volumes", Map.of("name", "race", "sizeBytes", 8 * MiB)),
                ProblemType.ALREADY_EXISTS)).contains("already exists");
    }

    @Test
    void aDeletionWithSnapshotsIsNotUndoneHalfwayBySnapshotsTakenMeanwhile() throws Exception {
        for (int round = 0; round < 5; round++) {
            create("busy", 8 * MiB);
            for (int i = 0; i < 20; i++) {
                api.post("/api/v1/volumes/busy/snapshots", Map.of("name", "s" + i)).expect(201);
            }
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            int r = round;
            Thread taker = Thread.ofPlatform().start(() -> {
                for (int i = 0; !stop.get(); i++) { // 201 before the deletion, 404 after it
                    api.post("/api/v1/volumes/busy/snapshots", Map.of("name", "late-" + r + "-" + i));
                }
            });
            try {
                ApiHarness.Answer deleted = api.delete("/api/v1/volumes/busy?withSnapshots=true");
                assertThat(deleted.status()).as("round %d: %s", round, deleted.text()).isEqualTo(204);
            } finally {
                stop.set(true);
                taker.join();
            }
            assertProblem(api.get("/api/v1/volumes/busy"), ProblemType.NOT_FOUND);
        }
    }

    @Test
    void aVolumeWithSnapshotsGoesOnlyWithThem() {
        create("db", 8 * MiB);
        api.post("/api/v1/volumes/db/snapshots", Map.of("name", "s1")).expect(201);
        assertThat(assertProblem(api.delete("/api/v1/volumes/db"), ProblemType.FAILED_PRECONDITION)).contains("s1");
        assertProblem(api.delete("/api/v1/volumes/db?withSnapshots=maybe"), ProblemType.INVALID_ARGUMENT);
        assertThat(api.get("/api/v1/volumes/db/snapshots").json().findValuesAsText("name")).containsExactly("s1");
        api.delete("/api/v1/volumes/db?withSnapshots=true").expect(204);
        assertProblem(api.get("/api/v1/volumes/db"), ProblemType.NOT_FOUND);
    }
}
