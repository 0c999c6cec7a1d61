package io.strata.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.domain.VolumeName;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a server writes — volume layers, job records, state, server.json, and a directory backup
 * target it was asked to create — is its owner's alone: user {@code nobody} reads none of it, even
 * where the directories above are open to all (as {@code /var/lib} is).
 */
class DataPrivacyTest {
    private static final long MiB = 1 << 20;

    @TempDir
    Path tmp;

    @Test
    void nobodyReadsALayerABackupBlockOrAJobRecord() throws Exception {
        boolean root = "root".equals(System.getProperty("user.name"));
        boolean ci = "true".equalsIgnoreCase(System.getenv("CI"));
        if (!ci) {
            assumeTrue(root && Files.isExecutable(Path.of("/usr/bin/setpriv")), "needs root and setpriv (util-linux) to read as nobody");
        }
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x")); // like /var/lib
        Path targetDir = tmp.resolve("backups");
        try (ApiHarness api = ApiHarness.start(tmp)) {
            api.put("/api/v1/backup-target", Map.of("url", "file://" + targetDir, "create", true)).expect(200);
            api.post("/api/v1/volumes", Map.of("name", "db", "sizeBytes", 4 * MiB)).expect(201);
            byte[] content = new byte[(int) (2 * MiB)];
            new Random(3).nextBytes(content);
            api.server.store().open(VolumeName.of("db")).writeAt(ByteBuffer.wrap(content), 0);
            ApiHarness.Answer started = api.post("/api/v1/volumes/db/backups", Map.of("name", "first"));
            JsonNode done = api.awaitJob(started.header("Location"));
            assertThat(done.get("state").asText()).as("job %s", done).isEqualTo("complete");

            Path layer = find(api.dataDir.resolve("volumes/db"), f -> true);
            Path block = find(targetDir, f -> f.getFileName().toString().endsWith(".blk"));
            Path jobRecord = find(api.dataDir.resolve("state"), f -> f.toString().contains("jobs"));
            for (Path file : List.of(layer, block, jobRecord, api.dataDir.resolve("server.json"))) {
                Process cat = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "cat", file.toString())
                        .redirectErrorStream(true).start();
                String said = new String(cat.getInputStream().readAllBytes());
                assertThat(cat.waitFor(30, TimeUnit.SECONDS)).isTrue();
                assertThat(cat.exitValue()).as("nobody reads %s: %s", file, said).isNotZero();
                assertThat(said).contains("Permission denied");
            }
            for (Path tree : List.of(api.dataDir, targetDir)) {
                try (Stream<Path> walk = Files.walk(tree)) {
                    for (Path p : walk.toList()) {
                        String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
                        if (Files.isDirectory(p)) {
                            assertThat(mode).as("%s", p).isEqualTo("rwx------");
                        } else if (Files.isRegularFile(p)) {
                            assertThat(mode).as("%s", p).isEqualTo("rw-------");
                        }
                    }
                }
            }
        }
    }

    private static Path find(Path dir, java.util.function.Predicate<Path> which) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).filter(which).findFirst()
                    .orElseThrow(() -> new AssertionError("no such file under " + dir));
        }
    }
}
