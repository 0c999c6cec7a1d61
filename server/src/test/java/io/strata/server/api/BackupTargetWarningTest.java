package io.strata.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.server.ServerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A directory backup target that is not there when the server starts (an NFS mount point not
 * mounted, a mistyped path) is one WARN line in the server's log (its real {@code logback.xml}) and
 * {@code strata_backup_target_up 0}; the server still starts and is ready, since serving volumes
 * needs no target.
 */
class BackupTargetWarningTest {
    @TempDir
    Path tmp;

    @RegisterExtension
    final ServerLog log = ServerLog.asShipped();

    private static ServerConfig withTarget(ServerConfig base, String target) {
        return new ServerConfig(base.dataDir(), target, base.csiEndpoint(), base.driverName(), base.nodeId(), base.nbdSocket(),
                base.nbdTcp(), base.environment(), base.http());
    }

    private List<String> targetWarnings() {
        return log.text().lines().filter(l -> l.contains(" WARN ") && l.contains("backup target file://"))
                .toList();
    }

    @Test
    void aMissingTargetDirectoryIsOneWarningAtStartAndTheTargetIsDown() throws Exception {
        String target = "file://" + tmp.resolve("nfs/not-mounted");
        try (ApiHarness api = ApiHarness.start(withTarget(ApiHarness.config(tmp), target))) {
            assertThat(targetWarnings()).as("logged at start, before any use of the target").singleElement().asString()
                    .contains(target + " does not exist").contains("mount what should be there, or create the directory");
            assertThat(api.get("/readyz").status()).as("readiness does not depend on the target").isEqualTo(200);
            assertThat(PrometheusText.parse(api.get("/metrics").text()).value("strata_backup_target_up")).isZero();
        }
        assertThat(Files.exists(tmp.resolve("nfs"))).as("nothing is created where the mount should be").isFalse();
    }

    @Test
    void aTargetThatIsAFileIsSaidToBeNoDirectory() throws Exception {
        Path file = Files.writeString(tmp.resolve("target"), "not a directory");
        try (ApiHarness api = ApiHarness.start(withTarget(ApiHarness.config(tmp), "file://" + file))) {
            assertThat(targetWarnings()).singleElement().asString().contains("file://" + file + " is not a directory");
        }
    }

    @Test
    void aSavedTargetThatWentAwayIsWarnedAboutAtTheNextStart() throws Exception {
        Path dir = tmp.resolve("saved");
        try (ApiHarness api = ApiHarness.start(tmp)) {
            api.put("/api/v1/backup-target", Map.of("url", "file://" + dir, "create", true)).expect(200);
        }
        assertThat(targetWarnings()).as("the default target, and a saved one that exists").isEmpty();
        Files.delete(dir);
        try (ApiHarness api = ApiHarness.start(tmp)) {
            assertThat(targetWarnings()).singleElement().asString().contains("file://" + dir + " does not exist");
        }
    }
}
