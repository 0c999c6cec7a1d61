package io.strata.server.cli;

import io.strata.engine.VolumeStore;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** {@code strata}: without a subcommand it prints a short tour. */
@Command(name = "strata",
        mixinStandardHelpOptions = true,
        versionProvider = StrataVersion.class,
        description = "Strata: block storage for Kubernetes.",
        subcommands = {VolumeCommand.class, SnapshotCommand.class},
        footer = {"", "Run 'strata' alone for a short tour."})
final class RootCommand implements Runnable {
    static final String DATA_DIR_OPTION = "--data-dir";

    static final String TOUR = """
            Strata is block storage for Kubernetes: each volume is a chain of sparse layer files with
            instant snapshots, revert, clone, expand and the changed ranges between two snapshots.

            Try it (volumes live in ./strata-data; change with --data-dir or STRATA_DATA_DIR):
              strata volume create db --size 1Gi
              strata volume import db disk.img
              strata snapshot create db before --label app=postgres
              strata volume import db other.img
              strata snapshot create db after
              strata snapshot diff db before after
              strata volume clone db@before db-test
              strata volume export db@before before.img
              strata snapshot revert db before
              strata volume ls
              strata volume rm db-test

            More: strata --help, strata volume --help, strata snapshot --help
            """;

    @Spec
    CommandSpec spec;

    @Option(names = DATA_DIR_OPTION, paramLabel = "DIR", scope = ScopeType.INHERIT,
            description = "Directory holding the volumes (default: ${DEFAULT-VALUE}; env STRATA_DATA_DIR).")
    Path dataDir;

    @Override
    public void run() {
        spec.commandLine().getOut().print(TOUR);
        spec.commandLine().getOut().flush();
    }

    /** Opens the data directory; the caller closes it, which releases the directory's lock. */
    VolumeStore openStore() throws IOException {
        return VolumeStore.open(dataDir);
    }
}
