package io.strata.server;

import io.strata.backupstore.BackupTargets;
import io.strata.backupstore.lock.DirectoryLockJournal;
import io.strata.backupstore.target.TargetUrl;
import io.strata.backupstore.target.NfsMount;
import io.strata.control.BackupService;
import io.strata.control.BackupTargetSetting;
import io.strata.control.SnapshotService;
import io.strata.control.VolumeService;
import io.strata.control.job.JobRecord;
import io.strata.control.job.Jobs;
import io.strata.control.state.StateStore;
import io.strata.control.KeyedLocks;
import io.strata.csi.CsiServer;
import io.strata.csi.CsiDriver;
import io.strata.csi.node.HostOs;
import io.strata.csi.node.NodeConfig;
import io.strata.csi.node.NodeHost;
import io.strata.csi.node.Os;
import io.strata.domain.Redaction;
import io.strata.domain.StrataException;
import io.strata.engine.VolumeStore;
import io.strata.nbd.EngineExports;
import io.strata.nbd.NbdConfig;
import io.strata.nbd.NbdCounters;
import io.strata.nbd.NbdServer;
import io.strata.server.api.SettingsApi;
import io.strata.server.cli.StrataVersion;
import io.strata.server.http.ApiJson;
import io.strata.server.http.ApiTokens;
import io.strata.server.http.HttpApi;
import io.strata.server.metrics.StrataMetrics;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.util.Optional;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code strata server}: the one process that owns a data directory. The object graph is built
 * here by hand, from {@link ServerConfig}, and taken down in reverse on {@link #close}: the volume
 * store, the NBD server over it (the node's attachments connect to it), the control use cases, the
 * node's attachments, and last the CSI server, which is the first to stop.
 *
 * <p>Stopping leaves staged volumes staged: the CO unstages them. Their NBD connections end with the
 * process, though, so their I/O fails until they are unstaged and staged again (see
 * {@code docs/csi-node.md}).
 */
public final class StrataServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StrataServer.class);
    /** How long a shutdown waits for running backups and restores before cutting them short (they resume on the next start). */
    static final Duration JOB_GRACE = Duration.ofSeconds(20);

    private final ServerConfig config;
    private final VolumeStore volumes;
    private final NbdServer nbd;
    private final ScheduledExecutorService lockRefresh;
    private final Jobs jobs;
    private final VolumeService volumeService;
    private final SnapshotService snapshotService;
    private final NodeHost node;
    private final CsiServer csi;
    private final AtomicBoolean ready = new AtomicBoolean();
    // REST API and metrics
    /** How long /metrics reuses its count of the backups in the target. */
    static final Duration BACKUP_COUNT_TTL = Duration.ofSeconds(30);
    private final BackupService backups;
    private final BackupTargetSetting backupTarget;
    private final NbdCounters nbdCounters = new NbdCounters();
    private final StrataMetrics metrics;
    private HttpApi http;
    private ServerFile.Info serverFile;

    private StrataServer(ServerConfig config, Os os) throws IOException {
        this.config = config;
        this.volumes = VolumeStore.open(config.dataDir());
        NbdServer nbdServer = null;
        ScheduledExecutorService refresh = null;
        ScheduledExecutorService jobThreads = null;
        try {
            refresh = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("backup-lock-refresh").factory());
            BackupTargets targets = new BackupTargets(config.environment(), config.dataDir().resolve("mounts"),
                    NfsMount.system(), new DirectoryLockJournal(config.dataDir().resolve(ServerConfig.LOCK_JOURNAL_DIRECTORY)));
            this.backups = new BackupService(targets, ServerConfig.backupLockSettle(config.environment()), refresh,
                    BackupService.DEFAULT_WORKERS);
            if (config.backupTarget().equals(ServerConfig.defaultBackupTarget(config.dataDir()))) {
                // the data directory's own target is the server's to make; any other must exist (it may be a mount point)
                BackupTargets.createDirectory(config.backupTarget());
            }
            // what a crash of the last run left on backup targets; in the background, since a target may hang (NFS)
            Thread.ofVirtual().name("stale-lock-cleanup").start(() -> {
                int removed = targets.removeStaleLocks();
                if (removed > 0) {
                    LOG.info("removed {} backupstore lock file(s) that an earlier run of this node left behind", removed);
                }
            });
            StateStore state = new StateStore(config.dataDir().resolve("state"));
            jobThreads = Executors.newScheduledThreadPool(2, Thread.ofPlatform().name("job-", 0).factory());
            this.jobs = new Jobs(volumes, backups, state.table("jobs", JobRecord.class), jobThreads, Clock.systemUTC(), Jobs.RETRY_DELAYS);
            // after the jobs: the NBD server asks them whether a volume is still being restored or cloned
            nbdServer = NbdServer.start(config.nbdLimits().applyTo(NbdConfig.of(config.nbdSocket(), config.nbdTcp())),
                    exports(volumes, jobs), nbdCounters);
            KeyedLocks locks = new KeyedLocks(); // one set: volume and snapshot calls on one volume exclude each other
            this.backupTarget = new BackupTargetSetting(state, config.backupTarget(), backups, Clock.systemUTC());
            warnIfTargetIsMissing(backupTarget.get());
            this.volumeService = new VolumeService(volumes, jobs, locks, state, config.dataDir(), backupTarget, Clock.systemUTC());
            this.snapshotService = new SnapshotService(volumes, backups, jobs, locks, backupTarget);
            this.metrics = new StrataMetrics(volumes, jobs, backups, backupTarget, nbdCounters, BACKUP_COUNT_TTL, Clock.systemUTC());
            jobs.addListener(metrics);
            this.node = new NodeHost(NodeConfig.of(config.nodeId(), config.nbdSocket(), config.dataDir()), state, os);
            node.reconcile(); // before serving: the NBD server is up, so what a crash left can be undone
            CsiDriver driver = new CsiDriver(config.driverName(), config.nodeId(), volumeService, snapshotService, Optional.of(node));
            this.nbd = nbdServer;
            this.lockRefresh = refresh;
            this.csi = CsiServer.start(config.csiEndpoint(), driver.services(ready::get));
        } catch (IOException | RuntimeException e) {
            // nothing else holds these yet: release them, or the data directory stays locked
            if (jobThreads != null) {
                jobThreads.shutdownNow();
            }
            if (refresh != null) {
                refresh.shutdownNow();
            }
            if (nbdServer != null) {
                closeQuietly(nbdServer, e);
            }
            closeQuietly(volumes, e);
            throw e;
        }
    }

    /**
     * What the NBD server serves: every volume of the store, each once no restore or clone is still
     * filling it (before, a client would read zeroes where the content has not arrived yet).
     */
    static EngineExports exports(VolumeStore volumes, Jobs jobs) {
        return new EngineExports(volumes, volume -> jobs.requireRestored(volume, "served over NBD"));
    }

    /**
     * Says at start what the first backup would find out: a directory target that is not there (an
     * NFS mount that is not mounted, a path mistyped). Only a warning: the server still starts and
     * stays ready, since volumes are served without any target, and the directory may yet appear.
     */
    static void warnIfTargetIsMissing(String url) {
        TargetUrl parsed;
        try {
            parsed = TargetUrl.parse(url);
        } catch (RuntimeException malformed) {
            return; // a saved setting was checked when saved; a flag's target fails with its own message at first use
        }
        if (parsed instanceof TargetUrl.Directory dir && !Files.isDirectory(dir.path())) {
            String what = Files.exists(dir.path(), LinkOption.NOFOLLOW_LINKS) ? "is not a directory" : "does not exist";
            LOG.warn("backup target {} {}: backups, restores and backup listings will fail until a directory is there: mount what should be there, or"
                    + " create the directory, or choose another target (--backup-target, or PUT /api/v1/backup-target)",
                    Redaction.url(url), what);
        }
    }

    private static void closeQuietly(AutoCloseable closeable, Exception failure) {
        try {
            closeable.close();
        } catch (Exception e) {
            failure.addSuppressed(e);
        }
    }

    /** Opens the data directory, resumes interrupted jobs and starts serving. */
    public static StrataServer start(ServerConfig config) throws IOException {
        return start(config, new HostOs());
    }

    /** {@link #start(ServerConfig)} with the node's OS programs run through {@code os}. */
    public static StrataServer start(ServerConfig config, Os os) throws IOException {
        StrataServer server = new StrataServer(config, os);
        try {
            int resumed = server.jobs.resumeAll();
            if (resumed > 0) {
                LOG.info("resumed {} backup or restore job(s) interrupted by the last stop", resumed);
            }
            if (config.http().isPresent()) {
                server.serveHttp(config.http().get());
            }
            server.ready.set(true);
            LOG.info("serving CSI ({}) on {} for node {}; NBD on {}{}; data in {}; backups to {}", config.driverName(),
                    config.csiEndpoint().url(), config.nodeId(), config.nbdSocket(),
                    server.nbd.tcpAddress().map(a -> " and " + a).orElse(""), config.dataDir().toAbsolutePath(), server.backupTarget.get());
            return server;
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    /** Starts the REST API, /openapi.json, /metrics and the web UI, and tells the CLI where they are ({@link ServerFile}). */
    private void serveHttp(InetSocketAddress address) throws IOException {
        ApiServer.Parts parts = new ApiServer.Parts(volumes, volumeService, snapshotService, backups, jobs, backupTarget, metrics,
                new SettingsApi.Identity(StrataVersion.version(), config.nodeId(), config.driverName().value(), config.dataDir().toString()),
                ready::get);
        ApiTokens tokens = ApiTokens.load(config.apiTokens(), config.dataDir());
        try {
            http = HttpApi.start(address, ApiServer.routes(parts), ApiJson.mapper(), config.httpHosts(), tokens);
        } catch (BindException e) {
            throw new StrataException.Unavailable("HTTP address " + address.getHostString() + ":" + address.getPort() + " is in use"
                    + " (another Strata server?): pick another with --http or STRATA_HTTP, or turn HTTP off with --http off", e);
        }
        serverFile = new ServerFile.Info(http.url().toString(), ProcessHandle.current().pid(), java.time.Instant.now(),
                StrataVersion.version(), tokens.directory().toString(),
                config.nbdSocket().toString());
        ServerFile.write(config.dataDir(), serverFile);
        LOG.info("serving the web UI on {}/ and the REST API on {}/api/v1 (OpenAPI at /openapi.json, metrics at /metrics)", http.url(),
                http.url());
    }

    /** The REST API's base URL, when it is served. */
    public Optional<URI> httpUrl() {
        return Optional.ofNullable(http).map(HttpApi::url);
    }

    /** The HTTP server, when it runs. */
    public Optional<HttpApi> http() {
        return Optional.ofNullable(http);
    }

    /** What an NBD server started for this data directory counts into, for /metrics. */
    public NbdCounters nbdCounters() {
        return nbdCounters;
    }

    /** The data directory's volumes, opened and locked by this server: for an NBD server over them. */
    public VolumeStore store() {
        return volumes;
    }

    public VolumeService volumes() {
        return volumeService;
    }

    public SnapshotService snapshots() {
        return snapshotService;
    }

    public Jobs jobs() {
        return jobs;
    }

    /** The NBD server, e.g. for the TCP port it picked. */
    public NbdServer nbd() {
        return nbd;
    }

    /**
     * Stops serving CSI (calls in flight finish first, so a staging is never cut off from its NBD server),
     * then NBD, lets running jobs finish for a while (cut short, they resume next time), and releases the
     * data directory.
     */
    @Override
    public void close() throws IOException {
        ready.set(false);
        if (http != null) {
            http.close();
            ServerFile.remove(config.dataDir(), serverFile);
        }
        csi.close();
        nbd.close();
        try {
            jobs.stop(JOB_GRACE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        lockRefresh.shutdownNow();
        volumes.close();
        LOG.info("stopped; data in {} is released", config.dataDir().toAbsolutePath());
    }
}
