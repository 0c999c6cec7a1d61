package io.strata.nbd;

import io.strata.domain.ByteSize;
import io.strata.domain.VolumeName;
import io.strata.engine.VolumeStore;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * Serves a data directory over NBD until stopped (SIGTERM, Ctrl-C): for the benchmark and for
 * trying clients by hand. Not the product's entry point ({@code strata server} is).
 *
 * <pre>
 * java -cp ... io.strata.nbd.NbdServe --data-dir DIR --socket PATH [--tcp PORT] [--create NAME:SIZE]...
 * </pre>
 *
 * {@code --create} makes a volume unless it exists (SIZE like {@code 1GiB} or bytes). Prints
 * {@code ready} once it listens.
 */
public final class NbdServe {
    private NbdServe() {}

    public static void main(String[] args) throws Exception {
        Path dataDir = null;
        Path socket = null;
        Optional<Integer> tcpPort = Optional.empty();
        java.util.List<String> creates = new java.util.ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--data-dir" -> dataDir = Path.of(args[++i]);
                case "--socket" -> socket = Path.of(args[++i]);
                case "--tcp" -> tcpPort = Optional.of(Integer.parseInt(args[++i]));
                case "--create" -> creates.add(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + ": use --data-dir DIR --socket PATH [--tcp PORT] [--create NAME:SIZE]...");
            }
        }
        if (dataDir == null || socket == null) {
            throw new IllegalArgumentException("--data-dir and --socket are required");
        }
        VolumeStore store = VolumeStore.open(dataDir);
        for (String create : creates) {
            int colon = create.indexOf(':');
            VolumeName name = VolumeName.of(create.substring(0, colon));
            if (!store.exists(name)) {
                store.create(name, ByteSize.parse(create.substring(colon + 1)));
            }
        }
        NbdServer server = NbdServer.start(NbdConfig.of(socket, tcpPort.map(NbdConfig::loopback)), new EngineExports(store));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.close();
                store.close();
            } catch (Exception e) {
                e.printStackTrace();
            } finally {
                stopped.countDown();
            }
        }));
        System.out.println("ready");
        System.out.flush();
        stopped.await();
    }
}
