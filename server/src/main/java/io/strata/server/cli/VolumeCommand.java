package io.strata.server.cli;

import io.strata.domain.ByteSize;
import io.strata.domain.StrataException;
import io.strata.domain.VolumeName;
import io.strata.engine.SnapshotReader;
import io.strata.engine.Volume;
import io.strata.engine.VolumeStore;
import io.strata.nbd.client.NbdClient;
import io.strata.server.api.ApiModel;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code strata volume ...}: one method per subcommand, each opening the data directory for its
 * run, or going through the API of the server that owns it.
 */
@Command(name = "volume",
        mixinStandardHelpOptions = true,
        description = "Create, list, import, export, expand, clone and remove volumes.")
final class VolumeCommand extends CommandGroup {

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create an empty volume.")
    void create(@Parameters(paramLabel = "NAME", description = "Name of the new volume.") VolumeName name,
                @Option(names = "--size", required = true, paramLabel = "SIZE", converter = SizeConverter.VolumeSize.class,
                        description = "Size: " + SizeConverter.VOLUME_SIZE_HELP + "; e.g. 1Gi.")
                long size) throws IOException {
        VolumeName.ofNew(name.value()); // a name its backups can be stored under, with a server or without
        Optional<ServerClient> server = root.server();
        if (server.isPresent()) {
            checkSize(size); // the API rounds sizes up, as CSI wants; the CLI takes them exact
            ApiModel.Volume volume = server.get().createVolume(name.value(), size, null);
            out().println("created volume " + volume.name() + " (" + ByteSize.format(volume.sizeBytes()) + ")");
            return;
        }
        try (VolumeStore store = root.openStore()) {
            Volume volume = store.create(name, size);
            out().println("created volume " + volume.name() + " (" + ByteSize.format(volume.size()) + ")");
        }
    }

    private static void checkSize(long size) {
        if (size <= 0 || size % VolumeTransfer.BLOCK_SIZE != 0) {
            throw new StrataException.InvalidArgument("invalid volume size " + size + ": give a positive multiple of 4 KiB (4096 bytes)");
        }
    }

    @Command(name = "ls", mixinStandardHelpOptions = true, description = "List volumes.")
    void list(@Option(names = "--json", description = "Print JSON.") boolean json) throws IOException {
        List<Json.Volume> volumes;
        Optional<ServerClient> server = root.server();
        if (server.isPresent()) {
            volumes = server.get().volumes().stream().map(Json.Volume::of).toList();
        } else {
            try (VolumeStore store = root.openStore()) {
                volumes = new java.util.ArrayList<>();
                for (io.strata.engine.VolumeInfo info : store.list()) {
                    volumes.add(Json.Volume.of(info, store.open(info.name())));
                }
            }
        }
        if (json) {
            Json.print(out(), volumes);
            return;
        }
        if (volumes.isEmpty()) {
            out().println("no volumes yet: strata volume create NAME --size 1Gi");
            return;
        }
        Table table = new Table("NAME", "SIZE", "SNAPSHOTS", "ALLOCATED", "CREATED");
        for (Json.Volume v : volumes) {
            table.row(v.name(), ByteSize.format(v.sizeBytes()), v.snapshots(), ByteSize.human(v.allocatedBytes()),
                    Instant.parse(v.created()).truncatedTo(ChronoUnit.SECONDS));
        }
        table.print(out());
    }

    @Command(name = "info", mixinStandardHelpOptions = true, description = "Show one volume.")
    void info(@Parameters(paramLabel = "NAME") VolumeName name,
              @Option(names = "--json", description = "Print JSON.") boolean json) throws IOException {
        Json.Volume info;
        Optional<ServerClient> server = root.server();
        if (server.isPresent()) {
            info = Json.Volume.of(server.get().volume(name.value()));
        } else {
            try (VolumeStore store = root.openStore()) {
                info = Json.Volume.of(store.info(name), store.open(name));
            }
        }
        if (json) {
            Json.print(out(), info);
            return;
        }
        PrintWriter out = out();
        out.println("name:       " + info.name());
        out.println("size:       " + ByteSize.format(info.sizeBytes()) + " (" + info.sizeBytes() + " bytes)");
        out.println("created:    " + Instant.parse(info.created()).truncatedTo(ChronoUnit.SECONDS));
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
        VolumeTransfer.Imported imported;
        Optional<ServerClient> server = root.server();
        if (server.isPresent()) {
            server.get().volume(name.value()); // its own NotFound, as the API says it
            try (NbdClient device = NbdClient.open(server.get().nbdSocket(root.dataDir), name.value())) {
                imported = VolumeTransfer.importFile(file, device, offset); // over the server's NBD socket: it owns the files
            }
        } else {
            try (VolumeStore store = root.openStore()) {
                imported = VolumeTransfer.importFile(file, store.open(name), offset);
            }
        }
        out().println("imported " + ByteSize.human(imported.bytes()) + " into " + name + " at offset " + offset
                + " (" + ByteSize.human(imported.dataBytes()) + " data, "
                + ByteSize.human(imported.zeroBytes()) + " of zero blocks kept sparse)");
    }

    @Command(name = "export", mixinStandardHelpOptions = true,
            description = "Write a volume, or one of its snapshots, to a sparse raw image file.")
    void exportFile(@Parameters(index = "0", paramLabel = "NAME[@SNAPSHOT]") VolumeRef source,
                    @Parameters(index = "1", paramLabel = "FILE") Path file) throws IOException {
        VolumeTransfer.Exported exported;
        Optional<ServerClient> server = root.server();
        if (server.isPresent()) {
            server.get().volume(source.volume().value()); // its own NotFound, as the API says it
            // VOLUME@SNAPSHOT is the snapshot's read-only export; block status tells where the data is
            try (NbdClient device = NbdClient.open(server.get().nbdSocket(root.dataDir), source.toString())) {
                exported = VolumeTransfer.exportFile(device, device.allocatedExtents(), device.size(), file);
            }
            out().println("exported " + source + " to " + file + " (" + ByteSize.format(exported.bytes()) + ", "
                    + ByteSize.human(exported.dataBytes()) + " data)");
            return;
        }
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
                @Option(names = "--size", required = true, paramLabel = "SIZE", converter = SizeConverter.VolumeSize.class,
                        description = "The new, larger size, e.g. 2Gi: " + SizeConverter.VOLUME_SIZE_HELP + ".") long size) throws IOException {
        Optional<ServerClient> server = root.server();
        if (server.isPresent()) {
            checkSize(size);
            long before = server.get().volume(name.value()).sizeBytes();
            long after = server.get().expand(name.value(), size).sizeBytes();
            out().println("expanded " + name + " from " + ByteSize.format(before) + " to " + ByteSize.format(after));
            return;
        }
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
        VolumeName.ofNew(target.value());
        Optional<ServerClient> server = root.server();
        if (server.isPresent()) {
            String from = source.snapshot().map(s -> "ss://" + source.volume() + "/" + s).orElse("volume:" + source.volume());
            ApiModel.Volume clone = ServerJobs.cloneVolume(server.get(), from, target.value(), err()); // the server copies in a job
            out().println("cloned " + source + " to " + clone.name() + " (" + ByteSize.format(clone.sizeBytes()) + ")");
            return;
        }
        try (VolumeStore store = root.openStore()) {
            Volume clone = store.clone(source.volume(), source.snapshot(), target);
            out().println("cloned " + source + " to " + clone.name() + " (" + ByteSize.format(clone.size()) + ")");
        }
    }

    @Command(name = "rm", mixinStandardHelpOptions = true, description = "Remove a volume and all its snapshots.")
    void remove(@Parameters(paramLabel = "NAME") VolumeName name) throws IOException {
        Optional<ServerClient> server = root.server();
        if (server.isPresent()) {
            server.get().deleteVolume(name.value()); // with its snapshots, as here; refused while it is attached
        } else {
            try (VolumeStore store = root.openStore()) {
                store.delete(name);
            }
        }
        out().println("removed volume " + name);
    }

    private PrintWriter out() {
        return spec.commandLine().getOut();
    }

    private PrintWriter err() {
        return spec.commandLine().getErr();
    }
}
