package io.strata.control.job;

import io.strata.backupstore.BackupProgress;
import io.strata.domain.SnapshotName;
import io.strata.domain.VolumeName;
import io.strata.engine.Extent;
import io.strata.engine.SnapshotReader;
import io.strata.engine.Volume;
import io.strata.engine.VolumeStore;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The copy behind a clone. The new volume is created at once at its final size; the allocated data
 * of one snapshot of the source is then copied into it in the background. A clone of a volume's head
 * copies a snapshot cut for it when it starts, removed when the job ends. That snapshot is not one of
 * the engine's temporary ones, which go at the next open: a clone resumed after a restart must find
 * it again. Snapshots do not change, so a resumed clone copies its snapshot again into the same
 * volume, over what it had copied before.
 *
 * <p>A clone's record keeps the source volume in {@code target}, the snapshot it copies in
 * {@code snapshot}, and {@code head} in {@code mode} when that snapshot was cut for it.
 */
final class CloneJob {
    /** Labels a snapshot cut to clone a volume's head with the volume it is copied into. */
    static final String CLONE_LABEL = "strata.io/clone-into";
    private static final String HEAD = "head";
    private static final int CHUNK = 1 << 20;

    private final VolumeStore volumes;

    CloneJob(VolumeStore volumes) {
        this.volumes = volumes;
    }

    /** Cuts the snapshot a clone of the head copies, and answers the job's record. */
    JobRecord prepare(VolumeName newVolume, VolumeName sourceVolume, Optional<SnapshotName> snapshot, Instant now) throws IOException {
        Volume source = volumes.open(sourceVolume);
        SnapshotName copied = snapshot.orElseGet(() ->
                SnapshotName.of("clone-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong())));
        if (snapshot.isEmpty()) {
            source.createSnapshot(copied, Map.of(CLONE_LABEL, newVolume.value()), false);
        }
        return new JobRecord(newVolume.value(), JobRecord.Kind.CLONE, JobRecord.State.RUNNING, newVolume.value(),
                copied.value(), sourceVolume.value(), null, snapshot.isEmpty() ? HEAD : "snapshot", now, null, null, 0, 0);
    }

    /**
     * Creates the (empty) new volume of a recorded job. The record goes first: a crash between the two
     * leaves a job that fails for want of its volume, and a new request replaces it.
     */
    void createVolume(JobRecord job, long size) throws IOException {
        volumes.create(VolumeName.of(job.volume()), size);
    }

    /** Undoes {@link #prepare} (and {@link #createVolume}, if it was done) for a job that cannot go on. */
    void discard(JobRecord job, Exception failure) {
        try {
            VolumeName volume = VolumeName.of(job.volume());
            if (volumes.exists(volume)) {
                volumes.delete(volume);
            }
        } catch (IOException | RuntimeException cleanup) {
            failure.addSuppressed(cleanup);
        }
        release(job, failure);
    }

    /**
     * Copies the snapshot's allocated data into the new volume, then removes a snapshot cut for the
     * clone; a failure removes it too, a shutdown (an interrupt) leaves it for the resumed job.
     */
    void run(JobRecord job, BackupProgress progress) throws IOException {
        try {
            Volume source = volumes.open(VolumeName.of(job.target()));
            Volume into = volumes.open(VolumeName.of(job.volume()));
            try (SnapshotReader reader = source.openSnapshot(SnapshotName.of(job.snapshot()))) {
                List<Extent> extents = reader.allocatedExtents();
                progress.toScan(extents.stream().mapToLong(Extent::length).sum());
                ByteBuffer buffer = ByteBuffer.allocateDirect(CHUNK);
                for (Extent extent : extents) {
                    for (long pos = extent.offset(); pos < extent.end(); pos += CHUNK) {
                        if (Thread.currentThread().isInterrupted()) {
                            throw new InterruptedIOException(JobFailures.describe(job) + " was stopped by a shutdown");
                        }
                        progress.checkNotCancelled();
                        int length = (int) Math.min(CHUNK, extent.end() - pos);
                        buffer.clear().limit(length);
                        reader.readAt(buffer, pos);
                        buffer.flip();
                        into.writeAt(buffer, pos);
                        progress.scanned(length);
                    }
                }
            }
            into.flush();
        } catch (IOException | RuntimeException e) {
            if (!JobFailures.interrupted(e)) {
                release(job, e);
            }
            throw e;
        }
        if (HEAD.equals(job.mode())) {
            volumes.open(VolumeName.of(job.target())).deleteSnapshot(SnapshotName.of(job.snapshot()));
        }
    }

    private void release(JobRecord job, Exception failure) {
        if (!HEAD.equals(job.mode())) {
            return;
        }
        try {
            VolumeName source = VolumeName.of(job.target());
            if (volumes.exists(source)) {
                volumes.open(source).deleteSnapshot(SnapshotName.of(job.snapshot()));
            }
        } catch (IOException | RuntimeException cleanup) {
            failure.addSuppressed(cleanup);
        }
    }

    /** Whether a clone copies from {@code volume}: its head, or {@code snapshot} when one is named. */
    static boolean copiesFrom(JobRecord job, String volume, Optional<String> snapshot) {
        return job.kind() == JobRecord.Kind.CLONE && job.target().equals(volume)
                && snapshot.map(s -> !HEAD.equals(job.mode()) && s.equals(job.snapshot())).orElse(true);
    }

    /** What a clone copies, for messages. */
    static String sourceOf(JobRecord job) {
        return HEAD.equals(job.mode()) ? "volume '" + job.target() + "'"
                : "snapshot " + job.snapshot() + " of volume '" + job.target() + "'";
    }
}
