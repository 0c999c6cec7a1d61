package io.strata.server.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.strata.backupstore.BackupProgress;
import io.strata.control.BackupService;
import io.strata.control.job.JobRecord;
import io.strata.control.job.Jobs;
import io.strata.engine.VolumeStore;
import io.strata.nbd.NbdCounters;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Strata's metrics and their text exposition. Counts of what there is are taken once per scrape
 * ({@link Census}); what jobs did is counted as each ends ({@link Jobs.Listener}); NBD traffic is read
 * from the NBD server's {@link NbdCounters}. Every name starts with {@code strata_}.
 */
public final class StrataMetrics implements Jobs.Listener {
    /** The content type of {@link #scrape()}: Prometheus text format 0.0.4. */
    public static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;
    /** Seconds: a backup or restore takes from seconds to hours. */
    private static final double[] DURATION_BUCKETS = {1, 5, 15, 60, 300, 900, 3600, 4 * 3600, 12 * 3600};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final Census census;
    private final Counter backupReadBytes;
    private final Counter backupUploadedBytes;
    private final Counter restoreBytes;
    private final Counter jobsEnded;
    private final Histogram backupSeconds;
    private final Histogram restoreSeconds;
    private final Clock clock;
    private volatile Census.Counts counts;

    /**
     * @param backupTtl how long a count of the backups in the target is reused between scrapes
     * @param nbd       the NBD server's counters (all zero while no NBD server runs)
     */
    public StrataMetrics(VolumeStore store, Jobs jobs, BackupService backups, Supplier<String> target, NbdCounters nbd,
                         Duration backupTtl, Clock clock) {
        this.census = new Census(store, jobs, backups, target, backupTtl, clock);
        this.clock = clock;
        gauge("strata_volumes", "Volumes in the data directory.", () -> counts.volumes());
        gauge("strata_volumes_provisioned_bytes", "Sum of the volumes' sizes.", () -> counts.provisionedBytes());
        gauge("strata_volumes_allocated_bytes", "Bytes the volumes' layers take on disk.", () -> counts.allocatedBytes());
        gauge("strata_snapshots", "Snapshots kept in volumes (not counting those taken for backups).", () -> counts.snapshots());
        GaugeWithCallback.builder().name("strata_jobs").help("Backup and restore jobs by kind and state (running, complete, error).")
                .labelNames("kind", "state")
                .callback(cb -> counts.jobs().forEach((key, n) -> cb.call(n, key.get(0), key.get(1)))).register(registry);
        GaugeWithCallback.builder().name("strata_backups").help("Backups in the backup target by state (complete, in-progress, failed, broken: a cfg that cannot be read).")
                .labelNames("state")
                .callback(cb -> counts.backups().byState().ifPresent(m -> m.forEach((state, n) -> cb.call(n, state)))).register(registry);
        gauge("strata_backup_target_up", "1 when the backup target could be listed at the last count (damaged cfgs in it count as broken backups), else 0.",
                () -> counts.backups().byState().isPresent() ? 1 : 0);
        backupReadBytes = counter("strata_backup_read_bytes", "Bytes of snapshots read by backups that completed.");
        backupUploadedBytes = counter("strata_backup_uploaded_bytes", "Compressed bytes backups that completed sent to the target.");
        restoreBytes = counter("strata_restore_bytes", "Bytes of backups restored into volumes by restores that completed.");
        jobsEnded = Counter.builder().name("strata_jobs_ended").help("Backup and restore jobs that ended, by kind and outcome.")
                .labelNames("kind", "state").register(registry);
        backupSeconds = histogram("strata_backup_duration_seconds", "Time from a backup's start to its end, retries included.");
        restoreSeconds = histogram("strata_restore_duration_seconds", "Time from a restore's start to its end, retries included.");
        nbdMetrics(nbd);
        for (String outcome : new String[] {"complete", "error"}) { // every series from the start, at zero: dashboards see them
            backupSeconds.labelValues(outcome);
            restoreSeconds.labelValues(outcome);
            for (JobRecord.Kind kind : JobRecord.Kind.values()) {
                jobsEnded.labelValues(kind.name().toLowerCase(Locale.ROOT), outcome);
            }
        }
    }

    private void nbdMetrics(NbdCounters nbd) {
        gauge("strata_nbd_connections", "NBD connections being served.", () -> nbd.snapshot().openConnections());
        CounterWithCallback.builder().name("strata_nbd_connections_accepted").help("NBD connections accepted.")
                .callback(cb -> cb.call(nbd.snapshot().connections())).register(registry);
        CounterWithCallback.builder().name("strata_nbd_connections_refused")
                .help("NBD connections closed unserved, by the limit they met: per-client, total, or handshake-timeout (no export"
                        + " chosen in time).")
                .labelNames("reason")
                .callback(cb -> nbd.snapshot().refused().forEach((reason, n) -> cb.call(n, reason.label()))).register(registry);
        CounterWithCallback.builder().name("strata_nbd_requests").help("NBD requests served, by command.").labelNames("command")
                .callback(cb -> {
                    NbdCounters.Snapshot s = nbd.snapshot();
                    cb.call(s.reads(), "read");
                    cb.call(s.writes(), "write");
                    cb.call(s.flushes(), "flush");
                    cb.call(s.trims(), "trim");
                    cb.call(s.writeZeroes(), "write_zeroes");
                    cb.call(s.blockStatus(), "block_status");
                    cb.call(s.caches(), "cache");
                }).register(registry);
        CounterWithCallback.builder().name("strata_nbd_read_bytes").help("Bytes NBD clients read.")
                .callback(cb -> cb.call(nbd.snapshot().bytesRead())).register(registry);
        CounterWithCallback.builder().name("strata_nbd_written_bytes").help("Bytes NBD clients wrote.")
                .callback(cb -> cb.call(nbd.snapshot().bytesWritten())).register(registry);
        CounterWithCallback.builder().name("strata_nbd_errors").help("NBD requests answered with an error.")
                .callback(cb -> cb.call(nbd.snapshot().errors())).register(registry);
    }

    private void gauge(String name, String help, Supplier<Number> value) {
        GaugeWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.get().doubleValue())).register(registry);
    }

    private Counter counter(String name, String help) {
        return Counter.builder().name(name).help(help).register(registry);
    }

    private Histogram histogram(String name, String help) {
        return Histogram.builder().name(name).help(help).classicOnly().classicUpperBounds(DURATION_BUCKETS).labelNames("outcome")
                .register(registry);
    }

    @Override
    public void finished(JobRecord record, BackupProgress progress) {
        String outcome = record.state().name().toLowerCase(Locale.ROOT);
        String kind = record.kind().name().toLowerCase(Locale.ROOT);
        double seconds = Math.max(0, Duration.between(record.created(), record.finished() != null ? record.finished() : clock.instant())
                .toMillis() / 1000.0);
        switch (record.kind()) {
            case BACKUP -> {
                backupSeconds.labelValues(outcome).observe(seconds);
                if (record.state() == JobRecord.State.COMPLETE) {
                    backupReadBytes.inc(progress.bytesScanned());
                    backupUploadedBytes.inc(progress.bytesUploaded());
                }
            }
            case CLONE -> { } // counted by kind and outcome above: a local copy has no transfer figures
            case RESTORE -> {
                restoreSeconds.labelValues(outcome).observe(seconds);
                if (record.state() == JobRecord.State.COMPLETE) {
                    restoreBytes.inc(progress.bytesScanned());
                }
            }
        }
        // last: a scrape that sees the job ended sees its bytes and duration too
        jobsEnded.labelValues(kind, outcome).inc();
    }

    /** Every metric now, in the Prometheus text format. */
    public synchronized byte[] scrape() throws IOException {
        counts = census.take();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writer.write(out, registry.scrape());
        return out.toByteArray();
    }
}
