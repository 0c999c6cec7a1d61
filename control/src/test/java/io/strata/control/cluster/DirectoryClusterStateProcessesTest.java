package io.strata.control.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two JVMs on one directory: the lock file, not the in-process lock, is what keeps their updates
 * from being lost, and create-if-absent what gives each name one holder.
 */
class DirectoryClusterStateProcessesTest {
    private static final int ROUNDS = 150;
    private static final int NAMES = 100;

    @TempDir
    Path dir;

    @Test
    void twoProcessesCountingAndReservingLoseNoUpdateAndShareNoName() throws Exception {
        Path root = dir.resolve("cluster");
        Path go = dir.resolve("go");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<Process> processes = new ArrayList<>();
        List<Path> outputs = new ArrayList<>();
        for (String node : List.of("node-1", "node-2")) {
            Path out = dir.resolve(node + ".out");
            outputs.add(out);
            processes.add(new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), ClusterStateRacer.class.getName(),
                    root.toString(), node, Integer.toString(ROUNDS), Integer.toString(NAMES), go.toString())
                    .redirectOutput(out.toFile()).redirectError(dir.resolve(node + ".err").toFile()).start());
        }
        Files.createFile(go);
        for (int i = 0; i < processes.size(); i++) {
            Process process = processes.get(i);
            assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("racer finished").isTrue();
            assertThat(process.exitValue()).as(Files.readString(dir.resolve("node-" + (i + 1) + ".err"))).isZero();
        }

        ClusterState state = new DirectoryClusterState(root, Clock.systemUTC());
        assertThat(state.settings()).isEqualTo(new Versioned<>(2 * ROUNDS, Settings.withBackupTarget("nfs://server:/count-" + 2 * ROUNDS)));
        List<String> won = new ArrayList<>();
        for (Path out : outputs) {
            Files.readAllLines(out, StandardCharsets.UTF_8).stream().filter(l -> l.startsWith("won ")).map(l -> l.substring(4)).forEach(won::add);
        }
        assertThat(won).hasSize(NAMES).doesNotHaveDuplicates();
        for (int i = 0; i < NAMES; i++) {
            assertThat(state.reservation("vol-" + i)).isPresent();
        }
    }
}
