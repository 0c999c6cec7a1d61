package io.strata.server.cli;

import io.strata.backupstore.BackupProgress;
import io.strata.backupstore.BackupTargets;
import io.strata.backupstore.format.BackupConfig;
import io.strata.backupstore.format.BackupUrl;
import io.strata.backupstore.format.Compression;
import io.strata.control.BackupService.BackupEntry;
import io.strata.control.VolumeBackups;
import io.strata.control.VolumeBackups.BackupSpec;
import io.strata.domain.ByteSize;
import io.strata.domain.StrataException;
import io.strata.domain.VolumeName;
import io.strata.engine.Volume;
import io.strata.engine.VolumeStore;
import io.strata.server.api.ApiModel;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code strata backup ...}: backups of volumes to a backup target (a directory, NFS or S3, in
 * Longhorn's format), and restores from them. A backup is named by its URL,
 * {@code TARGET?backup=NAME&volume=VOLUME}, or by its handle {@code bak://VOLUME/NAME} with
 * {@code --target}.
 */
@Command(name = "backup",
        mixinStandardHelpOptions = true,
        description = "Back up volumes to a backup target (file://, nfs://, s3://) and restore them.")
final class BackupCommand extends CommandGroup {
    enum Mode { full, incremental }

    enum CompressionName {
        lz4(Compression.LZ4), gzip(Compression.GZIP), none(Compression.NONE), zstd(Compression.ZSTD);

        final Compression compression;

        CompressionName(Compression compression) {
            this.compression = compression;
        }
    }

    static final String TARGET_HELP = "Backup target URL: file:///path, nfs://server:/export, s3://bucket@region/path/ "
            + "(default: env STRATA_BACKUP_TARGET, else the directory 'backups' in the data directory).";

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Back up a snapshot of a volume; without @SNAPSHOT a snapshot is taken first.")
    @SuppressWarnings("try") // the progress line draws, and a signal cancels, while the try runs
    void create(@Parameters(paramLabel = "VOLUME[@SNAPSHOT]") VolumeRef ref,
                @Option(names = "--target", paramLabel = "URL", description = TARGET_HELP) String target,
                @Option(names = "--mode", paramLabel = "MODE", defaultValue = "incremental",
                        description = "incremental (default: only what changed since the last backup) or full (every block re-uploaded).")
                Mode mode,
                @Option(names = "--compression", paramLabel = "METHOD", defaultValue = "lz4",
                        description = "lz4 (default), gzip, none, or zstd (a Strata extension Longhorn cannot restore); "
                                + "a backup volume keeps the method of its first backup.")
                CompressionName compression,
                @Option(names = "--block-size", paramLabel = "SIZE",
                        description = "2Mi or 16Mi: the block size of a new backup volume, as Longhorn allows; a backup volume "
                                + "keeps the block size of its first backup (default: that one, 2Mi for a new one).")
                String blockSize,
                @Option(names = "--name", paramLabel = "NAME", description = "The backup's name (default: backup- and 16 hex digits).")
                String name,
                @Option(names = "--label", paramLabel = "KEY=VALUE", description = "A label to store with the backup; repeatable.")
                Map<String, String> labels,
                @Option(names = "--create", description = "Create the target's directory (file://) if it does not exist; without this a"
                        + " missing directory is refused, since it may be a mount point with nothing mounted.") boolean create,
                @Option(names = "--detach", description = "With a running server: start the backup as its job and return at once,"
                        + " leaving it running (strata job ls shows it, strata job cancel stops it). Without it, Ctrl-C cancels"
                        + " the backup.") boolean detach,
                @Option(names = "--json", description = "Print JSON.") boolean json) throws IOException {
        String targetUrl = root.backupTarget(target);
        if (create && root.server().isEmpty()) {
            BackupTargets.createDirectory(targetUrl); // through a server, the target is the server's, which exists
        }
        Map<String, String> backupLabels = labels == null ? Map.of() : labels;
        long blockBytes = VolumeBackups.blockSize(blockSize);
        if (detach && root.server().isEmpty()) {
            throw new StrataException.InvalidArgument("--detach leaves a backup running in a server, and no server owns "
                    + root.dataDir.toAbsolutePath().normalize() + ": start one (strata server), or leave out --detach");
        }
        if (root.server().isPresent()) {
            ServerClient server = root.serverFor(target).orElseThrow(() -> otherTarget(targetUrl));
            ApiModel.CreateBackup order = new ApiModel.CreateBackup(ref.snapshot().map(Object::toString).orElse(null), name,
                    mode == Mode.full, compression.name(), backupLabels, blockSize);
            if (detach) {
                JobCommand.printDetached(out(), server.backup(ref.volume().value(), order), server, json);
                return;
            }
            ApiModel.Job done;
            try (CancelOnSignal signals = CancelOnSignal.install(server, err())) { // Ctrl-C cancels, even during the request
                ApiModel.Job started = server.backup(ref.volume().value(), order);
                done = ServerJobs.follow(server, signals, started, err(), "backing up " + ref, null);
            }
            ApiModel.Backup made = server.backup(done.backupVolume(), done.backup());
            printCreated(BackupJson.Created.of(done, made), json);
            return;
        }
        try (VolumeStore store = root.openStore(); Services services = root.services(store)) {
            BackupProgress progress = new BackupProgress();
            VolumeBackups.Made made;
            // Ctrl-C cancels: the backup removes its in-progress cfg and lock, and the snapshot it took, as on any failure
            try (StopOnExit stop = StopOnExit.of(progress, err(), "the backup of " + ref, "no backup was made, and its lock is"
                    + " released; blocks it uploaded are reused by the next backup or removed by the next deletion");
                 ProgressLine line = ProgressLine.start(err(), "backing up " + ref, ProgressLine.Work.BACKUP, progress)) {
                made = services.volumeBackups().backup(new BackupSpec(targetUrl, ref.volume(), ref.snapshot(), mode == Mode.full,
                        compression.compression, Optional.ofNullable(name), backupLabels, blockBytes), progress);
            }
            printCreated(BackupJson.Created.of(made, progress), json);
            progress.warnings().forEach(w -> err().println("strata: warning: " + w));
        }
    }

    private void printCreated(BackupJson.Created made, boolean json) {
        if (json) {
            Json.print(out(), made);
            return;
        }
        out().println("backed up " + made.volume() + "@" + made.snapshot() + " as " + made.name() + " ("
                + (made.incremental() ? "incremental" : "full") + ": " + made.blocksNew() + " new, "
                + made.blocksReused() + " reused blocks, " + ByteSize.human(made.bytesUploaded()) + " uploaded)");
        out().println("url:    " + made.url());
        out().println("handle: " + made.handle());
    }

    /** A command that writes the data directory asked for a target other than its server's. */
    private StrataException otherTarget(String targetUrl) {
        ServerClient server = root.server().orElseThrow();
        String serverTarget;
        try {
            serverTarget = server.backupTarget().url();
        } catch (IOException e) {
            serverTarget = "its own target";
        }
        return new StrataException.FailedPrecondition(server.describe() + " owns the data directory and backs up to " + serverTarget
                + ", not " + targetUrl + ": leave out --target, or give the server that target first"
                + " (PUT /api/v1/backup-target)");
    }

    @Command(name = "ls", mixinStandardHelpOptions = true,
            description = "List the backup volumes of a target, or the backups of one of them.")
    void list(@Parameters(paramLabel = "VOLUME", arity = "0..1", description = "A backup volume; without it, all of them.") String volume,
              @Option(names = "--target", paramLabel = "URL", description = TARGET_HELP) String target,
              @Option(names = "--json", description = "Print JSON.") boolean json) throws IOException {
        String targetUrl = root.backupTarget(target);
        Optional<ServerClient> server = root.serverFor(target);
        if (volume == null) {
            List<BackupJson.BackupVolume> volumes;
            if (server.isPresent()) {
                volumes = server.get().backupVolumes().stream().map(BackupJson.BackupVolume::of).toList();
            } else {
                try (Services services = root.services(null)) {
                    volumes = services.backups().backupVolumeEntries(targetUrl).stream().map(BackupJson.BackupVolume::of).toList();
                }
            }
            if (json) {
                Json.print(out(), volumes);
            } else if (volumes.isEmpty()) {
                out().println("no backups in " + targetUrl + " yet: strata backup create VOLUME --target " + targetUrl);
            } else {
                Table table = new Table("VOLUME", "SIZE", "LAST BACKUP", "LAST BACKUP AT", "COMPRESSION", "CREATED");
                volumes.forEach(v -> table.row(v.name(), "broken".equals(v.state()) ? "broken" : ByteSize.format(v.sizeBytes()),
                        dash(v.lastBackup()), dash(v.lastBackupAt()), dash(v.compression()), dash(v.created())));
                table.print(out());
                volumes.stream().filter(v -> "broken".equals(v.state()))
                        .forEach(v -> out().println("broken: " + v.name() + ": " + printable(v.error())));
            }
            return;
        }
        List<BackupJson.Backup> backups;
        if (server.isPresent()) {
            try {
                backups = server.get().backups(volume).stream().map(BackupJson.Backup::of).toList();
            } catch (StrataException.NotFound e) {
                backups = List.of(); // as without a server: a volume without backups has none
            }
        } else {
            try (Services services = root.services(null)) {
                backups = services.backups().backups(targetUrl, volume).stream().map(b -> BackupJson.Backup.of(b, targetUrl)).toList();
            }
        }
        if (json) {
            Json.print(out(), backups);
        } else if (backups.isEmpty()) {
            out().println("no backups of " + volume + " in " + targetUrl);
        } else {
            Table table = new Table("NAME", "SNAPSHOT", "SNAPSHOT CREATED", "STATE", "SIZE", "VOLUME SIZE", "TYPE", "LABELS");
            backups.forEach(b -> table.row(b.name(), dash(b.snapshot()), dash(b.snapshotCreated()), b.state(),
                    ByteSize.human(b.dataBytes()), ByteSize.format(b.volumeSizeBytes()), b.incremental() ? "incremental" : "full",
                    labels(b.labels())));
            table.print(out());
            backups.stream().filter(b -> "broken".equals(b.state()))
                    .forEach(b -> out().println("broken: " + b.name() + ": " + printable(b.error())));
        }
    }

    @Command(name = "inspect", mixinStandardHelpOptions = true, description = "Show one backup.")
    void inspect(@Parameters(paramLabel = "BACKUP", description = "A backup URL, or a handle bak://VOLUME/NAME with --target.") String backup,
                 @Option(names = "--target", paramLabel = "URL", description = TARGET_HELP) String target,
                 @Option(names = "--json", description = "Print JSON.") boolean json) throws IOException {
        BackupUrl url = BackupUrl.decode(root.backupUrl(backup, target));
        String name = url.backup().orElseThrow(() -> new StrataException.InvalidArgument("'" + backup + "' names a backup volume,"
                + " not a backup: add &backup=NAME"));
        Optional<ServerClient> server = root.serverFor(url.target());
        BackupJson.Backup b;
        if (server.isPresent()) {
            b = BackupJson.Backup.of(server.get().backup(url.volume(), name));
        } else {
            try (Services services = root.services(null)) {
                b = BackupJson.Backup.of(services.backups().inspect(url.encode()), url.target());
            }
        }
        if (json) {
            Json.print(out(), b);
            return;
        }
        Table table = new Table("FIELD", "VALUE");
        table.row("name", b.name());
        table.row("volume", b.volume());
        table.row("state", b.state());
        table.row("snapshot", dash(b.snapshot()));
        table.row("snapshot created", dash(b.snapshotCreated()));
        table.row("completed", dash(b.completed()));
        table.row("type", b.incremental() ? "incremental" : "full");
        table.row("volume size", ByteSize.format(b.volumeSizeBytes()));
        table.row("data", ByteSize.human(b.dataBytes()) + " in " + b.blocks() + " blocks of " + ByteSize.format(b.blockSize()));
        table.row("uploaded", ByteSize.human(b.newlyUploadedBytes()) + " new, " + ByteSize.human(b.reUploadedBytes()) + " re-uploaded");
        table.row("compression", b.compression());
        table.row("labels", labels(b.labels()));
        table.row("url", url.forLonghorn());
        table.row("handle", b.handle());
        table.print(out());
    }

    @Command(name = "restore", mixinStandardHelpOptions = true,
            description = "Restore a backup into a new volume, verifying every block.")
    @SuppressWarnings("try") // the progress line draws, and a signal cancels, while the try runs
    void restore(@Parameters(index = "0", paramLabel = "BACKUP", description = "A backup URL, or a handle bak://VOLUME/NAME with --target.") String backup,
                 @Parameters(index = "1", paramLabel = "NEW_VOLUME") VolumeName newVolume,
                 @Option(names = "--size", paramLabel = "SIZE", converter = SizeConverter.VolumeSize.class,
                         description = "Size of the new volume (default: the backup's); at least the backup's, beyond it reads as zeroes: "
                                 + SizeConverter.VOLUME_SIZE_HELP + ".")
                 Long size,
                 @Option(names = "--target", paramLabel = "URL", description = TARGET_HELP) String target) throws IOException {
        String url = root.backupUrl(backup, target);
        if (root.server().isPresent()) {
            BackupUrl decoded = BackupUrl.decode(url);
            ServerClient server = root.serverFor(decoded.target()).orElseThrow(() -> otherTarget(decoded.target()));
            ApiModel.Job done = ServerJobs.restore(server, decoded.volume(), decoded.backup().orElseThrow(
                    () -> new StrataException.InvalidArgument("'" + backup + "' names a backup volume, not a backup: add &backup=NAME")),
                    newVolume.value(), size, err());
            ApiModel.Volume volume = server.volume(newVolume.value());
            out().println("restored " + done.backup() + " into volume " + volume.name() + " (" + ByteSize.format(volume.sizeBytes())
                    + ", " + ByteSize.human(done.progress().bytesDone()) + " of data)");
            return;
        }
        try (VolumeStore store = root.openStore(); Services services = root.services(store)) {
            BackupProgress progress = new BackupProgress();
            Volume volume;
            try (StopOnExit stop = StopOnExit.of(progress, err(), "the restore into " + newVolume,
                    "the half-restored volume " + newVolume + " was removed");
                 ProgressLine line = ProgressLine.start(err(), "restoring into " + newVolume, ProgressLine.Work.RESTORE, progress)) {
                volume = services.volumeBackups().restore(url, newVolume, Optional.ofNullable(size), progress);
            }
            out().println("restored " + BackupUrl.decode(url).backup().orElseThrow() + " into volume " + volume.name()
                    + " (" + ByteSize.format(volume.size()) + ", " + ByteSize.human(progress.bytesScanned()) + " of data)");
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Check that every block of a backup is there, decompresses and matches its checksum.")
    void verify(@Parameters(paramLabel = "BACKUP", description = "A backup URL, or a handle bak://VOLUME/NAME with --target.") String backup,
                @Option(names = "--target", paramLabel = "URL", description = TARGET_HELP) String target) throws IOException {
        String url = root.backupUrl(backup, target);
        BackupUrl decoded = BackupUrl.decode(url);
        Optional<ServerClient> server = root.serverFor(decoded.target());
        if (server.isPresent() && decoded.backup().isPresent()) {
            ApiModel.Verification found = server.get().verify(decoded.volume(), decoded.backup().get());
            reportVerification(found.backup(), found.problems(), found.blocks());
            return;
        }
        try (Services services = root.services(null)) {
            List<String> problems = services.backups().verify(url);
            BackupEntry entry = services.backups().inspect(url);
            long distinct = entry.config().blocks().stream().map(BackupConfig.BlockRef::checksum).distinct().count();
            reportVerification(entry.config().name(), problems, distinct);
        }
    }

    private void reportVerification(String name, List<String> problems, long blocks) {
        if (!problems.isEmpty()) {
            problems.forEach(out()::println);
            throw new StrataException.Corrupt("backup " + name + " has " + problems.size() + (problems.size() == 1 ? " problem" : " problems")
                    + ": restores of it fail; a full backup (--mode full) re-uploads blocks that are still on a volume");
        }
        out().println("backup " + name + " is whole: " + blocks + " blocks verified");
    }

    @Command(name = "rm", mixinStandardHelpOptions = true,
            description = "Delete a backup; blocks no other backup uses are removed.")
    void remove(@Parameters(paramLabel = "BACKUP", description = "A backup URL, or a handle bak://VOLUME/NAME with --target.") String backup,
                @Option(names = "--target", paramLabel = "URL", description = TARGET_HELP) String target) throws IOException {
        String url = root.backupUrl(backup, target);
        BackupUrl decoded = BackupUrl.decode(url);
        Optional<ServerClient> server = root.serverFor(decoded.target());
        if (server.isPresent() && decoded.backup().isPresent()) {
            // through the server, which also forgets its job and the snapshot taken for the backup
            long removed;
            try {
                removed = server.get().deleteBackup(decoded.volume(), decoded.backup().get()).removedBlocks();
            } catch (StrataException.NotFound gone) {
                removed = 0; // as without a server: deleting a backup that is not there is fine
            }
            out().println("deleted backup " + decoded.backup().get() + " (" + removed + (removed == 1 ? " block" : " blocks")
                    + " no longer used removed)");
            return;
        }
        try (Services services = root.services(null)) {
            long removed = services.backups().delete(url);
            out().println("deleted backup " + BackupUrl.decode(url).backup().orElseThrow() + " (" + removed
                    + (removed == 1 ? " block" : " blocks") + " no longer used removed)");
        }
    }

    @Command(name = "rm-volume", mixinStandardHelpOptions = true,
            description = "Delete a backup volume: all its backups and blocks.")
    void removeVolume(@Parameters(paramLabel = "VOLUME") String volume,
                      @Option(names = "--target", paramLabel = "URL", description = TARGET_HELP) String target) throws IOException {
        String targetUrl = root.backupTarget(target);
        Optional<ServerClient> server = root.serverFor(target);
        if (server.isPresent()) {
            try {
                server.get().deleteBackupVolume(volume);
            } catch (StrataException.NotFound gone) {
                // as without a server: deleting a backup volume that is not there is fine
            }
            out().println("deleted backup volume " + volume + " from " + targetUrl);
            return;
        }
        try (Services services = root.services(null)) {
            services.backups().deleteVolume(targetUrl, volume);
            out().println("deleted backup volume " + volume + " from " + targetUrl);
        }
    }

    static String labels(Map<String, String> labels) {
        if (labels.isEmpty()) {
            return "-";
        }
        return new TreeMap<>(labels).entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(","));
    }

    private static String dash(String value) {
        return value == null || value.isEmpty() ? "-" : value;
    }

    private PrintWriter out() {
        return spec.commandLine().getOut();
    }

    private PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /** A message from the target, with control characters (escape sequences a hostile cfg could carry) shown as '?'. */
    private static String printable(String text) {
        return text == null ? "" : text.codePoints().map(c -> Character.isISOControl(c) ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
    }
}
