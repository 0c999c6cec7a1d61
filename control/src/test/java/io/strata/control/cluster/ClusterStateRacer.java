package io.strata.control.cluster;

import io.strata.domain.StrataException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;

/**
 * One process of {@link DirectoryClusterStateProcessesTest}: waits for the go file, then counts the
 * settings up {@code rounds} times (read, update with the version read, retry when another won) and
 * tries to reserve {@code names} volume names, printing each it won.
 *
 * <p>Arguments: directory, node id, rounds, names, go file.
 */
public final class ClusterStateRacer {
    private ClusterStateRacer() {}

    public static void main(String[] args) throws Exception {
        ClusterState state = new DirectoryClusterState(Path.of(args[0]), Clock.systemUTC());
        String node = args[1];
        int rounds = Integer.parseInt(args[2]);
        int names = Integer.parseInt(args[3]);
        Path go = Path.of(args[4]);
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!Files.exists(go)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no go file");
            }
            Thread.sleep(1);
        }
        for (int i = 0; i < rounds; i++) {
            while (true) {
                Versioned<Settings> read = state.settings();
                long count = read.value().backupTarget().map(t -> Long.parseLong(t.substring(t.lastIndexOf('-') + 1))).orElse(0L);
                try {
                    state.updateSettings(read.version(), Settings.withBackupTarget("nfs://server:/count-" + (count + 1)));
                    break;
                } catch (StrataException.FailedPrecondition lost) {
                    // another process updated meanwhile: read again
                }
            }
            if (i < names) {
                state.reserve("vol-" + i, node).ifPresent(r -> System.out.println("won " + r.volume()));
            }
        }
        System.out.flush();
    }
}
