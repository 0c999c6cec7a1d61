package io.strata.server;

import io.strata.backupstore.BackupTargets;
import io.strata.backupstore.lock.BackupLock;
import io.strata.backupstore.target.NfsMount;
import io.strata.control.BackupService;
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
import io.strata.engine.VolumeStore;
import io.strata.nbd.EngineExports;
import io.strata.nbd.NbdConfig;
import io.strata.nbd.NbdServer;
import java.io.IOException;
import java.util.Optional;
import java.time.Clock;
import java.time.Duration;
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

    private StrataServer(ServerConfig config, Os os) throws IOException {
        this.config = config;
        this.volumes = VolumeStore.open(config.dataDir());
        NbdServer nbdServer = null;
        ScheduledExecutorService refresh = null;
        ScheduledExecutorService jobThreads = null;
        try {
            nbdServer = NbdServer.start(NbdConfig.of(config.nbdSocket(), config.nbdTcp()), new EngineExports(volumes));
            refresh = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("backup-lock-refresh").factory());
            BackupService backups = new BackupService(new BackupTargets(config.environment(), config.dataDir().resolve("mounts"),
                    NfsMount.system()), BackupLock.SETTLE, refresh, BackupService.DEFAULT_WORKERS);
            StateStore state = new StateStore(config.dataDir().resolve("state"));
            jobThreads = Executors.newScheduledThreadPool(2, Thread.ofPlatform().name("job-", 0).factory());
            this.jobs = new Jobs(volumes, backups, state.table("jobs", JobRecord.class), jobThreads, Clock.systemUTC(), Jobs.RETRY_DELAYS);
            KeyedLocks locks = new KeyedLocks(); // one set: volume and snapshot calls on one volume exclude each other
            this.volumeService = new VolumeService(volumes, jobs, locks, state, config.dataDir(), config.backupTarget(), Clock.systemUTC());
            this.snapshotService = new SnapshotService(volumes, backups, jobs, locks, config.backupTarget());
            this.node = new NodeHost(NodeConfig.of(config.nodeId(), config.nbdSocket(), config.dataDir()), state, os);
            node.reconcile(); // before serving: the NBD server is up, so what a crash left can be undone
            CsiDriver driver = new CsiDriver(config.driverName(), config.nodeId(), volumeService, snapshotService, jobs, Optional.of(node));
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
            server.ready.set(true);
            LOG.info("serving CSI ({}) on {} for node {}; NBD on {}{}; data in {}; backups to {}", config.driverName(),
                    config.csiEndpoint().url(), config.nodeId(), config.nbdSocket(),
                    server.nbd.tcpAddress().map(a -> " and " + a).orElse(""), config.dataDir().toAbsolutePath(), config.backupTarget());
            return server;
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
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
