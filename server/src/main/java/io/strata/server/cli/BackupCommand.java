package io.strata.server.cli;

import io.strata.backupstore.BackupProgress;
import io.strata.backupstore.format.BackupConfig;
import io.strata.backupstore.format.BackupUrl;
import io.strata.backupstore.format.Compression;
import io.strata.backupstore.format.VolumeConfig;
import io.strata.control.BackupService.BackupEntry;
import io.strata.control.VolumeBackups;
import io.strata.control.VolumeBackups.BackupSpec;
import io.strata.domain.ByteSize;
import io.strata.domain.StrataException;
import io.strata.domain.VolumeName;
import io.strata.engine.Volume;
import io.strata.engine.VolumeStore;
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
    @SuppressWarnings("try") // the progress line draws while the try runs
    void create(@Parameters(paramLabel = "VOLUME[@SNAPSHOT]") VolumeRef ref,
                @Option(names = "--target", paramLabel = "URL", description = TARGET_HELP) String target,
                @Option(names = "--mode", paramLabel = "MODE", defaultValue = "incremental",
                        description = "incremental (default: only what changed since the last backup) or full (every block re-uploaded).")
                Mode mode,
                @Option(names = "--compression", paramLabel = "METHOD", defaultValue = "lz4",
                        description = "lz4 (default), gzip, none, or zstd (a Strata extension Longhorn cannot restore); "
                                + "a backup volume keeps the method of its first backup.")
                CompressionName compression,
                @Option(names = "--name", paramLabel = "NAME", description = "The backup's name (default: backup- and 16 hex digits).")
                String name,
                @Option(names = "--label", paramLabel = "KEY=VALUE", description = "A label to store with the backup; repeatable.")
                Map<String, String> labels,
                @Option(names = "--json", description = "Print JSON.") boolean json) throws IOException {
        String targetUrl = root.backupTarget(target);
        try (VolumeStore store = root.openStore(); Services services = root.services(store)) {
            BackupProgress progress = new BackupProgress();
            VolumeBackups.Made made;
            try (ProgressLine line = ProgressLine.start(err(), "backing up " + ref, progress)) {
                made = services.volumeBackups().backup(new BackupSpec(targetUrl, ref.volume(), ref.snapshot(), mode == Mode.full,
                        compression.compression, Optional.ofNullable(name), labels == null ? Map.of() : labels), progress);
            }
            BackupConfig cfg = made.config();
            if (json) {
                Json.print(out(), BackupJson.Created.of(made, progress));
                return;
            }
            out().println("backed up " + ref.volume() + "@" + cfg.snapshotName() + " as " + cfg.name() + " ("
                    + (cfg.incremental() ? "incremental" : "full") + ": " + progress.blocksNew() + " new, "
                    + progress.blocksReused() + " reused blocks, " + ByteSize.human(progress.bytesUploaded()) + " uploaded)");
            out().println("url:    " + made.url().encode());
            out().println("handle: " + made.handle());
            progress.warnings().forEach(w -> err().println("strata: warning: " + w));
        }
    }

    @Command(name = "ls", mixinStandardHelpOptions = true,
            description = "List the backup volumes of a target, or the backups of one of them.")
    void list(@Parameters(paramLabel = "VOLUME", arity = "0..1", description = "A backup volume; without it, all of them.") String volume,
              @Option(names = "--target", paramLabel = "URL", description = TARGET_HELP) String target,
              @Option(names = "--json", description = "Print JSON.") boolean json) throws IOException {
        String targetUrl = root.backupTarget(target);
        try (Services services = root.services(null)) {
            if (volume == null) {
                List<VolumeConfig> volumes = services.backups().backupVolumes(targetUrl);
                if (json) {
                    Json.print(out(), volumes.stream().map(BackupJson.BackupVolume::of).toList());
                } else if (volumes.isEmpty()) {
                    out().println("no backups in " + targetUrl + " yet: strata backup create VOLUME --target " + targetUrl);
                } else {
                    Table table = new Table("VOLUME", "SIZE", "LAST BACKUP", "LAST BACKUP AT", "COMPRESSION", "CREATED");
                    volumes.forEach(v -> table.row(v.name(), ByteSize.format(v.size()), dash(v.lastBackupName()),
                            dash(v.lastBackupAt()), v.compression().method(), dash(v.createdTime())));
                    table.print(out());
                }
                return;
            }
            List<BackupEntry> backups = services.backups().backups(targetUrl, volume);
            if (json) {
                Json.print(out(), backups.stream().map(b -> BackupJson.Backup.of(b, targetUrl)).toList());
            } else if (backups.isEmpty()) {
                out().println("no backups of " + volume + " in " + targetUrl);
            } else {
                Table table = new Table("NAME", "SNAPSHOT", "SNAPSHOT CREATED", "STATE", "SIZE", "VOLUME SIZE", "TYPE", "LABELS");
                backups.forEach(b -> table.row(b.config().name(), dash(b.config().snapshotName()),
                        dash(b.config().snapshotCreatedAt()), BackupJson.state(b), ByteSize.human(b.config().size()),
                        ByteSize.format(b.volumeSize()), b.config().incremental() ? "incremental" : "full",
                        labels(b.config().labels())));
                table.print(out());
            }
        }
    }

    @Command(name = "inspect", mixinStandardHelpOptions = true, description = "Show one backup.")
    void inspect(@Parameters(paramLabel = "BACKUP", description = "A backup URL, or a handle bak://VOLUME/NAME with --target.") String backup,
                 @Option(names = "--target", paramLabel = "URL", description = TARGET_HELP) String target,
                 @Option(names = "--json", description = "Print JSON.") boolean json) throws IOException {
        String url = root.backupUrl(backup, target);
        try (Services services = root.services(null)) {
            BackupEntry entry = services.backups().inspect(url);
            BackupConfig cfg = entry.config();
            if (json) {
                Json.print(out(), BackupJson.Backup.of(entry, BackupUrl.decode(url).target()));
                return;
            }
            Table table = new Table("FIELD", "VALUE");
            table.row("name", cfg.name());
            table.row("volume", cfg.volumeName());
            table.row("state", BackupJson.state(entry));
            table.row("snapshot", dash(cfg.snapshotName()));
            table.row("snapshot created", dash(cfg.snapshotCreatedAt()));
            table.row("completed", dash(cfg.createdTime()));
            table.row("type", cfg.incremental() ? "incremental" : "full");
            table.row("volume size", ByteSize.format(entry.volumeSize()));
            table.row("data", ByteSize.human(cfg.size()) + " in " + cfg.blocks().size() + " blocks of " + ByteSize.format(cfg.blockSize()));
            table.row("uploaded", ByteSize.human(cfg.newlyUploadedDataSize()) + " new, " + ByteSize.human(cfg.reUploadedDataSize()) + " re-uploaded");
            table.row("compression", Compression.fromMethod(cfg.compressionMethod()).method());
            table.row("labels", labels(cfg.labels()));
            table.row("url", url);
            table.row("handle", "bak://" + cfg.volumeName() + "/" + cfg.name());
            table.print(out());
        }
    }

    @Command(name = "restore", mixinStandardHelpOptions = true,
            description = "Restore a backup into a new volume, verifying every block.")
    @SuppressWarnings("try") // the progress line draws while the try runs
    void restore(@Parameters(index = "0", paramLabel = "BACKUP", description = "A backup URL, or a handle bak://VOLUME/NAME with --target.") String backup,
                 @Parameters(index = "1", paramLabel = "NEW_VOLUME") VolumeName newVolume,
                 @Option(names = "--size", paramLabel = "SIZE", converter = SizeConverter.class,
                         description = "Size of the new volume (default: the backup's); at least the backup's, beyond it reads as zeroes.")
                 Long size,
                 @Option(names = "--target", paramLabel = "URL", description = TARGET_HELP) String target) throws IOException {
        String url = root.backupUrl(backup, target);
        try (VolumeStore store = root.openStore(); Services services = root.services(store)) {
            BackupProgress progress = new BackupProgress();
            Volume volume;
            try (ProgressLine line = ProgressLine.start(err(), "restoring into " + newVolume, progress)) {
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
        try (Services services = root.services(null)) {
            List<String> problems = services.backups().verify(url);
            BackupEntry entry = services.backups().inspect(url);
            String name = entry.config().name();
            if (!problems.isEmpty()) {
                problems.forEach(out()::println);
                throw new StrataException.Corrupt("backup " + name + " has " + problems.size() + (problems.size() == 1 ? " problem" : " problems")
                        + ": restores of it fail; a full backup (--mode full) re-uploads blocks that are still on a volume");
            }
            long distinct = entry.config().blocks().stream().map(BackupConfig.BlockRef::checksum).distinct().count();
            out().println("backup " + name + " is whole: " + distinct + " blocks verified");
        }
    }

    @Command(name = "rm", mixinStandardHelpOptions = true,
            description = "Delete a backup; blocks no other backup uses are removed.")
    void remove(@Parameters(paramLabel = "BACKUP", description = "A backup URL, or a handle bak://VOLUME/NAME with --target.") String backup,
                @Option(names = "--target", paramLabel = "URL", description = TARGET_HELP) String target) throws IOException {
        String url = root.backupUrl(backup, target);
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
}
