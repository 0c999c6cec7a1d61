package io.strata.server.cli;

import io.strata.domain.ByteSize;
import io.strata.domain.SnapshotName;
import io.strata.domain.VolumeName;
import io.strata.engine.SnapshotInfo;
import io.strata.engine.Volume;
import io.strata.engine.VolumeStore;
import io.strata.server.api.ApiModel;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code strata snapshot ...}: snapshots of one volume, their changed ranges, and revert. */
@Command(name = "snapshot",
        mixinStandardHelpOptions = true,
        description = "Create, list, compare, revert to and remove snapshots of a volume.")
final class SnapshotCommand extends CommandGroup {

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Snapshot a volume's current content.")
    void create(@Parameters(index = "0", paramLabel = "VOLUME") VolumeName volumeName,
                @Parameters(index = "1", paramLabel = "SNAPSHOT") SnapshotName name,
                @Option(names = "--label", paramLabel = "KEY=VALUE", description = "A label to keep with the snapshot; repeatable.")
                Map<String, String> labels) throws IOException {
        Optional<ServerClient> server = root.server();
        if (server.isPresent()) {
            ApiModel.Snapshot info = server.get().createSnapshot(volumeName.value(), name.value(), labels == null ? Map.of() : labels);
            out().println("created snapshot " + volumeName + "@" + info.name() + " (" + ByteSize.format(info.sizeBytes()) + ")");
            return;
        }
        try (VolumeStore store = root.openStore()) {
            Volume volume = store.open(volumeName);
            SnapshotInfo info = volume.createSnapshot(name, labels == null ? Map.of() : labels, true);
            out().println("created snapshot " + volumeName + "@" + info.name() + " (" + ByteSize.format(info.size()) + ")");
        }
    }

    @Command(name = "ls", mixinStandardHelpOptions = true, description = "List a volume's snapshots, oldest first.")
    void list(@Parameters(paramLabel = "VOLUME") VolumeName volumeName,
              @Option(names = "--json", description = "Print JSON.") boolean json) throws IOException {
        List<Json.Snapshot> snapshots;
        Optional<ServerClient> server = root.server();
        // the snapshots kept in the volume, with a server or without; those cut for backups are listed by 'strata backup ls'
        if (server.isPresent()) {
            snapshots = server.get().snapshots(volumeName.value()).stream().filter(s -> s.type().equals("snapshot"))
                    .map(Json.Snapshot::of).toList();
        } else {
            try (VolumeStore store = root.openStore()) {
                snapshots = store.open(volumeName).snapshots().stream().filter(io.strata.control.SnapshotService::inCluster)
                        .map(Json.Snapshot::of).toList();
            }
        }
        if (json) {
            Json.print(out(), snapshots);
            return;
        }
        if (snapshots.isEmpty()) {
            out().println("no snapshots of " + volumeName + " yet: strata snapshot create " + volumeName + " NAME");
            return;
        }
        Table table = new Table("NAME", "CREATED", "SIZE", "PARENT", "USER", "LABELS");
        for (Json.Snapshot info : snapshots) {
            table.row(info.name(), Instant.parse(info.created()).truncatedTo(ChronoUnit.SECONDS), ByteSize.format(info.sizeBytes()),
                    info.parent() == null ? "-" : info.parent(), info.userCreated() ? "yes" : "no", labels(info.labels()));
        }
        table.print(out());
    }

    @Command(name = "rm", mixinStandardHelpOptions = true,
            description = "Remove a snapshot; the volume's content does not change.")
    void remove(@Parameters(index = "0", paramLabel = "VOLUME") VolumeName volumeName,
                @Parameters(index = "1", paramLabel = "SNAPSHOT") SnapshotName name) throws IOException {
        Optional<ServerClient> server = root.server();
        if (server.isPresent()) {
            server.get().deleteSnapshot(volumeName.value(), name.value());
        } else {
            try (VolumeStore store = root.openStore()) {
                store.open(volumeName).deleteSnapshot(name);
            }
        }
        out().println("removed snapshot " + volumeName + "@" + name);
    }

    @Command(name = "revert", mixinStandardHelpOptions = true,
            description = "Make a volume's content that of one of its snapshots again; later writes are lost.")
    void revert(@Parameters(index = "0", paramLabel = "VOLUME") VolumeName volumeName,
                @Parameters(index = "1", paramLabel = "SNAPSHOT") SnapshotName name) throws IOException {
        Optional<ServerClient> server = root.server();
        if (server.isPresent()) {
            server.get().revert(volumeName.value(), name.value()); // refused while the volume is attached
        } else {
            try (VolumeStore store = root.openStore()) {
                store.open(volumeName).revert(name);
            }
        }
        out().println("reverted " + volumeName + " to snapshot " + name);
    }

    @Command(name = "diff", mixinStandardHelpOptions = true,
            description = "Byte ranges that changed between two snapshots, or up to TO from the beginning.")
    void diff(@Parameters(index = "0", paramLabel = "VOLUME") VolumeName volumeName,
              @Parameters(index = "1..2", arity = "1..2", paramLabel = "[FROM] TO",
                      description = "One snapshot (TO: everything written up to it) or two (FROM TO).")
              List<SnapshotName> snapshots,
              @Option(names = "--json", description = "Print JSON.") boolean json) throws IOException {
        Optional<SnapshotName> from = snapshots.size() == 2 ? Optional.of(snapshots.get(0)) : Optional.empty();
        SnapshotName to = snapshots.getLast();
        List<Json.Range> changed;
        Optional<ServerClient> server = root.server();
        if (server.isPresent()) {
            changed = server.get().changes(volumeName.value(), to.value(), from.map(SnapshotName::value)).ranges().stream()
                    .map(r -> new Json.Range(r.offset(), r.length())).toList();
        } else {
            try (VolumeStore store = root.openStore()) {
                changed = store.open(volumeName).changedExtents(from, to).stream().map(Json.Range::of).toList();
            }
        }
        long changedBytes = changed.stream().mapToLong(Json.Range::length).sum();
        if (json) {
            Json.print(out(), new Json.Diff(volumeName.value(), from.map(Object::toString).orElse(null), to.value(),
                    changedBytes, changed));
            return;
        }
        if (!changed.isEmpty()) {
            Table table = new Table("OFFSET", "LENGTH");
            changed.forEach(range -> table.row(range.offset(), range.length()));
            table.print(out());
        }
        out().println(changed.size() + (changed.size() == 1 ? " range, " : " ranges, ")
                + ByteSize.human(changedBytes) + " changed " + from.map(f -> "from " + f + " ").orElse("") + "to " + to);
    }

    private static String labels(Map<String, String> labels) {
        if (labels.isEmpty()) {
            return "-";
        }
        return new TreeMap<>(labels).entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(","));
    }

    private PrintWriter out() {
        return spec.commandLine().getOut();
    }
}
