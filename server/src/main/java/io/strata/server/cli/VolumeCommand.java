package io.strata.server.cli;

import io.strata.domain.ByteSize;
import io.strata.domain.StrataException;
import io.strata.domain.VolumeName;
import io.strata.engine.SnapshotReader;
import io.strata.engine.Volume;
import io.strata.engine.VolumeInfo;
import io.strata.engine.VolumeStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.temporal.ChronoUnit;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code strata volume ...}: one method per subcommand, each opening the data directory for its run. */
@Command(name = "volume",
        mixinStandardHelpOptions = true,
        description = "Create, list, import, export, expand, clone and remove volumes.")
final class VolumeCommand extends CommandGroup {

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create an empty volume.")
    void create(@Parameters(paramLabel = "NAME", description = "Name of the new volume.") VolumeName name,
                @Option(names = "--size", required = true, paramLabel = "SIZE", converter = SizeConverter.class,
                        description = "Size: bytes or a number with Ki, Mi, Gi or Ti (a multiple of 4Ki), e.g. 1Gi.")
                long size) throws IOException {
        try (VolumeStore store = root.openStore()) {
            Volume volume = store.create(name, size);
            out().println("created volume " + volume.name() + " (" + ByteSize.format(volume.size()) + ")");
        }
    }

    @Command(name = "ls", mixinStandardHelpOptions = true, description = "List volumes.")
    void list(@Option(names = "--json", description = "Print JSON.") boolean json) throws IOException {
        List<VolumeInfo> volumes;
        try (VolumeStore store = root.openStore()) {
            volumes = store.list();
        }
        if (json) {
            Json.print(out(), volumes.stream().map(Json.Volume::of).toList());
            return;
        }
        if (volumes.isEmpty()) {
            out().println("no volumes yet: strata volume create NAME --size 1Gi");
            return;
        }
        Table table = new Table("NAME", "SIZE", "SNAPSHOTS", "ALLOCATED", "CREATED");
        for (VolumeInfo info : volumes) {
            table.row(info.name(), ByteSize.format(info.size()), info.snapshots(), ByteSize.human(info.allocatedBytes()),
                    info.created().truncatedTo(ChronoUnit.SECONDS));
        }
        table.print(out());
    }

    @Command(name = "info", mixinStandardHelpOptions = true, description = "Show one volume.")
    void info(@Parameters(paramLabel = "NAME") VolumeName name,
              @Option(names = "--json", description = "Print JSON.") boolean json) throws IOException {
        VolumeInfo info;
        try (VolumeStore store = root.openStore()) {
            info = store.info(name);
        }
        if (json) {
            Json.print(out(), Json.Volume.of(info));
            return;
        }
        PrintWriter out = out();
        out.println("name:       " + info.name());
        out.println("size:       " + ByteSize.format(info.size()) + " (" + info.size() + " bytes)");
        out.println("created:    " + info.created().truncatedTo(ChronoUnit.SECONDS));
        out.println("snapshots:  " + info.snapshots());
        out.println("layers:     " + info.layers());
        out.println("allocated:  " + ByteSize.human(info.allocatedBytes()));
        out.flush();
    }

    @Command(name = "import", mixinStandardHelpOptions = true,
            description = "Copy a raw image file into a volume; all-zero 4 KiB blocks stay holes.")
    void importFile(@Parameters(index = "0", paramLabel = "NAME") VolumeName name,
                    @Parameters(index = "1", paramLabel = "FILE") Path file,
                    @Option(names = "--offset", paramLabel = "BYTES", defaultValue = "0", converter = SizeConverter.class,
                            description = "Where in the volume the file starts (default: 0).") long offset)
            throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new StrataException.NotFound("file '" + file + "' does not exist or is not a regular file");
        }
        try (VolumeStore store = root.openStore()) {
            Volume volume = store.open(name);
            VolumeTransfer.Imported imported = VolumeTransfer.importFile(file, volume, offset);
            out().println("imported " + ByteSize.human(imported.bytes()) + " into " + name + " at offset " + offset
                    + " (" + ByteSize.human(imported.dataBytes()) + " data, "
                    + ByteSize.human(imported.zeroBytes()) + " of zero blocks kept sparse)");
        }
    }

    @Command(name = "export", mixinStandardHelpOptions = true,
            description = "Write a volume, or one of its snapshots, to a sparse raw image file.")
    void exportFile(@Parameters(index = "0", paramLabel = "NAME[@SNAPSHOT]") VolumeRef source,
                    @Parameters(index = "1", paramLabel = "FILE") Path file) throws IOException {
        VolumeTransfer.Exported exported;
        try (VolumeStore store = root.openStore()) {
            Volume volume = store.open(source.volume());
            if (source.snapshot().isPresent()) {
                try (SnapshotReader reader = volume.openSnapshot(source.snapshot().get())) {
                    exported = VolumeTransfer.exportFile(reader, reader.allocatedExtents(), reader.size(), file);
                }
            } else {
                exported = VolumeTransfer.exportFile(volume, volume.allocatedExtents(), volume.size(), file);
            }
        }
        out().println("exported " + source + " to " + file + " (" + ByteSize.format(exported.bytes()) + ", "
                + ByteSize.human(exported.dataBytes()) + " data)");
    }

    @Command(name = "expand", mixinStandardHelpOptions = true, description = "Grow a volume; it never shrinks.")
    void expand(@Parameters(paramLabel = "NAME") VolumeName name,
                @Option(names = "--size", required = true, paramLabel = "SIZE", converter = SizeConverter.class,
                        description = "The new, larger size, e.g. 2Gi.") long size) throws IOException {
        try (VolumeStore store = root.openStore()) {
            Volume volume = store.open(name);
            long before = volume.size();
            volume.expand(size);
            out().println("expanded " + name + " from " + ByteSize.format(before) + " to " + ByteSize.format(volume.size()));
        }
    }

    @Command(name = "clone", mixinStandardHelpOptions = true,
            description = "Create a volume from another one's head or snapshot.")
    void cloneVolume(@Parameters(index = "0", paramLabel = "SOURCE[@SNAPSHOT]") VolumeRef source,
                     @Parameters(index = "1", paramLabel = "NEW") VolumeName target) throws IOException {
        try (VolumeStore store = root.openStore()) {
            Volume clone = store.clone(source.volume(), source.snapshot(), target);
            out().println("cloned " + source + " to " + clone.name() + " (" + ByteSize.format(clone.size()) + ")");
        }
    }

    @Command(name = "rm", mixinStandardHelpOptions = true, description = "Remove a volume and all its snapshots.")
    void remove(@Parameters(paramLabel = "NAME") VolumeName name) throws IOException {
        try (VolumeStore store = root.openStore()) {
            store.delete(name);
        }
        out().println("removed volume " + name);
    }

    private PrintWriter out() {
        return spec.commandLine().getOut();
    }
}
