package io.strata.server.readme;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.csi.DriverName;
import io.strata.csi.node.NodeTools;
import io.strata.server.ServerConfig;
import io.strata.server.StrataServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs every command of the README's console blocks, in order, in a fresh directory, as a reader
 * would: {@code ./strata} is the CLI in a JVM of its own, beside a {@code strata server} on the
 * README's defaults (the data directory {@link ServerConfig#DEFAULT_DATA_DIR}) except for HTTP, which
 * listens on a free port (the README's {@link ServerConfig#DEFAULT_HTTP} is rewritten to it, so that a
 * reader's own server is never in the way). Each command's output must be what the README shows, by {@link ConsoleBlocks}' convention;
 * backup names the README shows stand for the names this run made, in later commands too.
 */
class ReadmeTourTest {
    private static final String README_ADDRESS = ServerConfig.DEFAULT_HTTP;
    private static final String README_HOME = "/home/me/strata";

    @TempDir
    Path tmp;

    @Test
    void everyCommandOfTheReadmePrintsWhatTheReadmeShows() throws Exception {
        NodeTools.require("qemu-utils", "qemu-io", "qemu-img");
        NodeTools.require("libnbd-bin", "nbdcopy");
        NodeTools.require("curl", "curl");
        List<ConsoleBlocks.Step> steps = ConsoleBlocks.parse(Files.readString(readme()));
        assertThat(steps).as("the README's console commands").hasSizeGreaterThan(20);

        Path home = tmp.toRealPath();
        writeLauncher(home.resolve("strata"));
        Path data = home.resolve(ServerConfig.DEFAULT_DATA_DIR).normalize();
        ServerConfig config = new ServerConfig(data, ServerConfig.defaultBackupTarget(data), ServerConfig.defaultCsiEndpoint(data),
                new DriverName("driver.strata.io"), "node-1", Map.of(ServerConfig.BACKUP_LOCK_SETTLE_ENV, "0"))
                .withHttp(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        List<String> mismatches = new ArrayList<>();
        Map<String, String> backupNames = new HashMap<>();
        try (StrataServer server = StrataServer.start(config)) {
            URI http = server.httpUrl().orElseThrow();
            String address = http.getHost() + ":" + http.getPort();
            for (ConsoleBlocks.Step step : steps) {
                String command = step.command().replace(README_ADDRESS, address);
                for (Map.Entry<String, String> name : backupNames.entrySet()) {
                    command = command.replace(name.getKey(), name.getValue());
                }
                List<String> printed = run(home, command).stream()
                        .map(l -> ConsoleBlocks.normalize(l.replace(home.toString(), README_HOME))).toList();
                System.out.println("$ " + command + "\n" + String.join("\n", printed)); // the transcript, for whoever mends the README
                List<String> shown = step.shown().stream().map(l -> {
                    String s = l;
                    for (Map.Entry<String, String> name : backupNames.entrySet()) {
                        s = s.replace(name.getKey(), name.getValue());
                    }
                    return s;
                }).toList();
                learnBackupNames(shown, printed, backupNames);
                List<String> expected = shown.stream().map(l -> {
                    String s = l;
                    for (Map.Entry<String, String> name : backupNames.entrySet()) {
                        s = s.replace(name.getKey(), name.getValue());
                    }
                    return s;
                }).toList();
                if (!ConsoleBlocks.matches(expected, printed)) {
                    mismatches.add("README.md line " + step.line() + ": $ " + step.command() + "\n  shows:\n    "
                            + String.join("\n    ", step.shown()) + "\n  printed:\n    " + String.join("\n    ", printed));
                }
            }
        }
        assertThat(mismatches).as("commands whose output is not what the README shows").isEmpty();
    }

    /** Pairs the backup names a README line shows with those the same line printed, by position. */
    private static void learnBackupNames(List<String> shown, List<String> printed, Map<String, String> names) {
        for (int i = 0; i < Math.min(shown.size(), printed.size()); i++) {
            List<String> readme = ConsoleBlocks.backupNames(shown.get(i));
            List<String> actual = ConsoleBlocks.backupNames(printed.get(i));
            for (int j = 0; j < Math.min(readme.size(), actual.size()); j++) {
                names.putIfAbsent(readme.get(j), actual.get(j));
            }
        }
    }

    private static Path readme() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("README.md")) || dir != null && !Files.exists(dir.resolve("mvnw"))) {
            dir = dir.getParent();
        }
        assertThat(dir).as("the project's root above %s", Path.of("").toAbsolutePath()).isNotNull();
        return dir.resolve("README.md");
    }

    /** {@code ./strata}: the CLI of this build, as the README's script runs it. */
    private static void writeLauncher(Path file) throws IOException {
        Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
        // the shipped logging setup, as in strata.jar: the test classpath also holds the modules' logback-test.xml files
        java.net.URL logging = ReadmeTourTest.class.getResource("/logback.xml");
        assertThat(logging).as("the server's logback.xml").isNotNull();
        Files.writeString(file, "#!/bin/sh\nexec '" + java + "' --enable-native-access=ALL-UNNAMED -Dlogback.configurationFile='"
                + logging + "' -cp '" + System.getProperty("java.class.path") + "' io.strata.server.Main \"$@\"\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** Runs one command in bash in {@code dir}; returns its output, stdout and stderr together, by line. */
    private static List<String> run(Path dir, String command) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder("bash", "-c", command).directory(dir.toFile()).redirectErrorStream(true);
        builder.environment().keySet().removeIf(k -> k.startsWith("STRATA_"));
        builder.environment().put(ServerConfig.BACKUP_LOCK_SETTLE_ENV, "0");
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("$ " + command + " did not end in 5 minutes");
        }
        return out.isEmpty() ? List.of() : List.of(out.split("\n", -1)).subList(0, out.endsWith("\n") ? out.split("\n", -1).length - 1
                : out.split("\n", -1).length);
    }
}
