package io.strata.server.metrics;

import io.strata.control.BackupService;
import io.strata.control.BackupService.BackupEntry;
import io.strata.control.SnapshotService;
import io.strata.control.job.JobRecord;
import io.strata.control.job.Jobs;
import io.strata.engine.SnapshotInfo;
import io.strata.engine.VolumeInfo;
import io.strata.engine.VolumeStore;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts what there is, once per scrape: volumes and their bytes, snapshots, jobs by kind and state,
 * and the backups in the target by state. Listing a target (an S3 bucket) costs requests, so that
 * count is kept for {@code backupTtl} between scrapes, or until a backup job starts or ends here; a target that cannot be listed is reported
 * down rather than failing the scrape.
 */
final class Census {
    private static final Logger LOG = LoggerFactory.getLogger(Census.class);

    /**
     * The backups in the target by state ({@code complete}, {@code in-progress}, {@code failed}, {@code broken}: its cfg cannot be read); empty when it could not be listed.
     *
     * @param jobs the backup jobs' states when it was taken: a job that started or ended since makes it stale
     */
    record Backups(Instant taken, String target, int jobs, Optional<Map<String, Integer>> byState) {}

    /** What one scrape reports. */
    record Counts(int volumes, long provisionedBytes, long allocatedBytes, int snapshots, Map<List<String>, Integer> jobs, Backups backups) {}

    private final VolumeStore store;
    private final Jobs jobs;
    private final BackupService backupService;
    private final Supplier<String> target;
    private final Duration backupTtl;
    private final Clock clock;
    private Backups lastBackups;

    Census(VolumeStore store, Jobs jobs, BackupService backupService, Supplier<String> target, Duration backupTtl, Clock clock) {
        this.store = store;
        this.jobs = jobs;
        this.backupService = backupService;
        this.target = target;
        this.backupTtl = backupTtl;
        this.clock = clock;
    }

    synchronized Counts take() throws IOException {
        int volumes = 0;
        long provisioned = 0;
        long allocated = 0;
        int snapshots = 0;
        for (VolumeInfo info : store.list()) {
            volumes++;
            provisioned += info.size();
            allocated += info.allocatedBytes();
            try {
                for (SnapshotInfo s : store.open(info.name()).snapshots()) {
                    if (SnapshotService.inCluster(s)) {
                        snapshots++;
                    }
                }
            } catch (IOException | RuntimeException e) {
                LOG.debug("volume {} went while it was counted: {}", info.name(), e.toString());
            }
        }
        Map<List<String>, Integer> byJob = new TreeMap<>(java.util.Comparator.comparing((List<String> k) -> k.get(0))
                .thenComparing(k -> k.get(1)));
        for (JobRecord.Kind kind : JobRecord.Kind.values()) {
            for (JobRecord.State state : JobRecord.State.values()) {
                byJob.put(List.of(lower(kind), lower(state)), 0);
            }
        }
        List<String> backupJobs = new java.util.ArrayList<>();
        for (Jobs.Status job : jobs.all()) {
            JobRecord r = job.record();
            byJob.merge(List.of(lower(r.kind()), lower(r.state())), 1, Integer::sum);
            if (r.kind() == JobRecord.Kind.BACKUP) {
                backupJobs.add(r.id() + "=" + r.state());
            }
        }
        return new Counts(volumes, provisioned, allocated, snapshots, byJob, backups(backupJobs.hashCode()));
    }

    private Backups backups(int jobsNow) {
        String url = target.get();
        Instant now = clock.instant();
        if (lastBackups != null && lastBackups.target().equals(url) && lastBackups.jobs() == jobsNow
                && lastBackups.taken().plus(backupTtl).isAfter(now)) {
            return lastBackups;
        }
        Optional<Map<String, Integer>> byState;
        try {
            Map<String, Integer> counts = new TreeMap<>(Map.of("complete", 0, "in-progress", 0, "failed", 0, "broken", 0));
            for (var volume : backupService.backupVolumeEntries(url)) { // a damaged cfg is counted broken; the target is up
                for (BackupEntry entry : backupService.backups(url, volume.name())) {
                    String state = entry.isBroken() ? "broken"
                            : !entry.config().inProgress() ? "complete" : entry.abandoned() ? "failed" : "in-progress";
                    counts.merge(state, 1, Integer::sum);
                }
            }
            byState = Optional.of(counts);
        } catch (IOException | RuntimeException e) {
            LOG.warn("metrics: the backup target cannot be listed ({})", e.getClass().getSimpleName());
            byState = Optional.empty();
        }
        lastBackups = new Backups(now, url, jobsNow, byState);
        return lastBackups;
    }

    private static String lower(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }
}
