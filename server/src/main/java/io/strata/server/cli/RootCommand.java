package io.strata.server.cli;

import io.strata.backupstore.format.BackupUrl;
import io.strata.backupstore.BackupTargets;
import io.strata.control.BackupTargetSetting;
import io.strata.control.state.StateStore;
import io.strata.domain.StrataException;
import io.strata.domain.SnapshotHandle;
import io.strata.engine.VolumeStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
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
        subcommands = {ServerCommand.class, VolumeCommand.class, SnapshotCommand.class, BackupCommand.class, JobCommand.class},
        footer = {"", "Run 'strata' alone for a short tour."})
final class RootCommand implements Runnable {
    static final String DATA_DIR_OPTION = "--data-dir";

    static final String TOUR = """
            Strata is block storage for Kubernetes: each volume is a chain of sparse layer files with
            instant snapshots, revert and expand, clones, and the changed ranges between two snapshots.

            Serve it all (CSI, NBD, the web UI and REST API on http://127.0.0.1:9500):
              strata server
            While it runs, the commands below go through it. The web UI and the API take the
            token in ./strata-data/api-tokens/admin.token.

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

            Back it up (to ./strata-data/backups unless --target or STRATA_BACKUP_TARGET says otherwise:
            file:///mnt/nfs/backups, nfs://server:/export, s3://bucket@us-east-1/backups/):
              strata backup create db@before
              strata backup ls db
              strata backup restore bak://db/BACKUP-NAME db-restored
              strata backup verify bak://db/BACKUP-NAME

            Through a server, Ctrl-C cancels a backup; --detach leaves it running as a job:
              strata backup create db --detach
              strata job ls
              strata job cancel backup@BACKUP-NAME

            More: strata --help, strata volume --help, strata snapshot --help, strata backup --help, strata job --help
            """;

    /** The backup target when --target is not given; else a directory in the data directory. */
    static final String BACKUP_TARGET_ENV = "STRATA_BACKUP_TARGET";

    private final Map<String, String> env;
    private Map<String, String> environment;
    private Optional<ServerClient> server;

    @Spec
    CommandSpec spec;

    RootCommand(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    @Option(names = DATA_DIR_OPTION, paramLabel = "DIR", scope = ScopeType.INHERIT,
            description = "Directory holding the volumes (default: ${DEFAULT-VALUE}; env STRATA_DATA_DIR).")
    Path dataDir;

    @Option(names = "--backup-credentials", paramLabel = "PATH", scope = ScopeType.INHERIT,
            description = "The backup target's credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_ENDPOINTS, ...): an env file"
                    + " of NAME=value lines, or a directory with a file per variable such as a mounted Secret; they override the"
                    + " environment's (default: env " + CredentialsFile.ENV + ", else none).")
    Path backupCredentials;

    /** The API token for a running server, when the one in its data directory is not to be used (or cannot be read). */
    static final String TOKEN_ENV = "STRATA_TOKEN";

    @Option(names = "--token-file", paramLabel = "FILE", scope = ScopeType.INHERIT,
            description = "The API token for the running server, in a file (default: env " + TOKEN_ENV + ", else the server's own"
                    + " admin token from its data directory).")
    Path tokenFile;

    @Override
    public void run() {
        spec.commandLine().getOut().print(TOUR);
        spec.commandLine().getOut().flush();
    }

    /**
     * The backup target URL: {@code --target}; else the target of the server that owns the data
     * directory; else one saved in the data directory (through the API); else
     * {@value #BACKUP_TARGET_ENV}; else {@code file://<data dir>/backups}.
     */
    String backupTarget(String option) throws IOException {
        if (option != null && !option.isBlank()) {
            return option;
        }
        Optional<ServerClient> server = server();
        if (server.isPresent()) {
            return server.get().backupTarget().url();
        }
        Path state = dataDir.resolve("state");
        if (Files.isDirectory(state)) {
            Optional<String> saved = BackupTargetSetting.saved(new StateStore(state));
            if (saved.isPresent()) {
                return saved.get();
            }
        }
        String configured = configuredBackupTarget(null);
        if (configured.equals(defaultBackupTarget())) {
            BackupTargets.createDirectory(configured); // the data directory's own: made on first use, as the server makes it
        }
        return configured;
    }

    private String defaultBackupTarget() {
        return "file://" + dataDir.toAbsolutePath().normalize().resolve("backups");
    }

    /** The target a process is configured with: {@code option}, else {@value #BACKUP_TARGET_ENV}, else {@code file://<data dir>/backups}. */
    String configuredBackupTarget(String option) {
        if (option != null && !option.isBlank()) {
            return option;
        }
        String fromEnv = environment().get(BACKUP_TARGET_ENV);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return fromEnv;
        }
        return defaultBackupTarget();
    }

    /**
     * A backup URL from what the user typed: a URL as it is, or a handle {@code bak://VOLUME/NAME}
     * (also {@code bs://}) in the backup target {@link #backupTarget} gives.
     */
    String backupUrl(String text, String targetOption) throws IOException {
        SnapshotHandle.Backup handle = SnapshotHandle.parseBackup(text).orElse(null);
        if (handle == null) {
            return text;
        }
        return BackupUrl.of(backupTarget(targetOption), handle.volume(), handle.backup()).encode();
    }

    /** The use cases for one run; {@code volumes} may be null when the command does not touch the data directory. */
    Services services(VolumeStore volumes) {
        return new Services(volumes, dataDir, environment());
    }

    /** A non-blank environment variable. */
    java.util.Optional<String> env(String name) {
        return java.util.Optional.ofNullable(env.get(name)).filter(v -> !v.isBlank());
    }

    /** The process environment, with the backup credentials file's variables over it when one is given. */
    Map<String, String> environment() {
        if (environment == null) {
            Path file = backupCredentials != null ? backupCredentials
                    : env(CredentialsFile.ENV).map(Path::of).orElse(null);
            if (file == null) {
                environment = env;
            } else {
                Map<String, String> merged = new java.util.HashMap<>(env);
                merged.putAll(CredentialsFile.read(file));
                environment = Map.copyOf(merged);
            }
        }
        return environment;
    }

    /** Opens the data directory; the caller closes it, which releases the directory's lock. */
    VolumeStore openStore() throws IOException {
        return VolumeStore.open(dataDir);
    }

    /**
     * The server that owns the data directory, if one runs and answers: commands then go through
     * its API rather than the files it holds. Looked up once per command.
     */
    Optional<ServerClient> server() {
        if (server == null) {
            server = ServerClient.find(dataDir, apiToken());
        }
        return server;
    }

    /** The token the user gave: {@code --token-file}, else {@value #TOKEN_ENV}. */
    private Optional<String> apiToken() {
        if (tokenFile == null) {
            return env(TOKEN_ENV).map(String::strip);
        }
        try (java.io.InputStream in = Files.newInputStream(tokenFile)) {
            String token = new String(in.readNBytes(4096), java.nio.charset.StandardCharsets.UTF_8).strip();
            if (token.isEmpty()) {
                throw new StrataException.InvalidArgument("--token-file " + tokenFile + " is empty: put the server's admin or read-only"
                        + " token in it");
            }
            return Optional.of(token);
        } catch (IOException e) {
            throw new StrataException.InvalidArgument("--token-file " + tokenFile + " cannot be read (" + e.getClass().getSimpleName()
                    + "): give a file holding the server's API token");
        }
    }

    /**
     * The server, for work that goes through it only when it works on the server's backup target:
     * empty when no server runs or {@code --target} names another target.
     */
    Optional<ServerClient> serverFor(String targetOption) throws IOException {
        Optional<ServerClient> found = server();
        if (found.isEmpty() || targetOption == null || targetOption.isBlank()
                || BackupUrl.sameTarget(found.get().backupTarget().url(), targetOption)) {
            return found;
        }
        return Optional.empty();
    }
}
