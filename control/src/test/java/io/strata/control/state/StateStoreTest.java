package io.strata.control.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.domain.StrataException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateStoreTest {
    record Attachment(String volume, String node, boolean readOnly, Instant since) {}

    @TempDir
    Path dir;

    @Test
    void recordsRoundTripAndSurviveReopening() throws IOException {
        StateStore.Table<Attachment> table = new StateStore(dir).table("attachments", Attachment.class);
        Attachment a = new Attachment("pvc-1", "node-a", true, Instant.parse("2026-11-22T07:00:00.123Z"));
        table.put("pvc-1", a);
        table.put("pvc-2", new Attachment("pvc-2", "node-b", false, Instant.EPOCH));
        table.put("pvc-2", new Attachment("pvc-2", "node-c", false, Instant.EPOCH));
        Files.writeString(dir.resolve("attachments/.pvc-3.json.tmp"), "{ torn"); // a write a crash interrupted

        StateStore.Table<Attachment> again = new StateStore(dir).table("attachments", Attachment.class);
        assertThat(again.get("pvc-1")).contains(a);
        assertThat(again.all()).extracting(Attachment::node).containsExactly("node-a", "node-c");
        again.delete("pvc-1");
        again.delete("pvc-1");
        assertThat(again.get("pvc-1")).isEmpty();
    }

    @Test
    void unreadableRecordsAndBadKeysAreClearErrors() throws IOException {
        StateStore.Table<Attachment> table = new StateStore(dir).table("attachments", Attachment.class);
        Files.writeString(dir.resolve("attachments/pvc-9.json"), "{ not json");
        assertThatThrownBy(() -> table.get("pvc-9")).isExactlyInstanceOf(StrataException.Corrupt.class)
                .hasMessageContaining("pvc-9.json").hasMessageContaining("move it away");
        assertThatThrownBy(() -> table.put("../x", null)).isExactlyInstanceOf(StrataException.InvalidArgument.class);
    }

    @Test
    void recordsAndTheirDirectoriesAreTheOwnersOnly() throws IOException {
        Path root = dir.resolve("state");
        StateStore.Table<Attachment> table = new StateStore(root).table("jobs", Attachment.class);
        // a temp file an older version left, open to all, is not reused for the record
        Files.writeString(root.resolve("jobs/.a.json.tmp"), "{}");
        Files.setPosixFilePermissions(root.resolve("jobs/.a.json.tmp"), PosixFilePermissions.fromString("rw-r--r--"));
        table.put("a", new Attachment("v", "n", false, Instant.EPOCH));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(root))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve("jobs")))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve("jobs/a.json")))).isEqualTo("rw-------");
    }
}
