package io.strata.control.job;

import java.time.Instant;
import java.util.Map;

/**
 * A long-running job as stored: what it does, how far it got when it last changed state, and how it
 * ended. Live progress of a running job comes from {@link Jobs.Status#live}.
 *
 * @param id          the job's key: a backup job's snapshot name (CSI) or backup name (REST), a restore job's new volume
 * @param volume      the source volume of a backup, the new volume of a restore
 * @param snapshot    the snapshot a backup reads; for a restore, the backup volume it reads from
 * @param target      the backup target URL
 * @param backup      the backup's name in the target
 * @param error       why it failed; null unless {@code state} is ERROR
 * @param compression a backup's compression method; null for lz4 (and for records written before it was kept)
 * @param labels      a backup's labels; null to take the labels of the snapshot it reads
 */
public record JobRecord(String id, Kind kind, State state, String volume, String snapshot, String target, String backup,
                        String mode, Instant created, Instant finished, String error, long bytesDone, long bytesTotal,
                        String compression, Map<String, String> labels) {

    public enum Kind { BACKUP, RESTORE }

    public enum State {
        /** Running, or to be resumed when the server starts. */
        RUNNING,
        COMPLETE,
        ERROR
    }

    /** A job whose backup takes lz4 and the labels of the snapshot it reads. */
    public JobRecord(String id, Kind kind, State state, String volume, String snapshot, String target, String backup,
                     String mode, Instant created, Instant finished, String error, long bytesDone, long bytesTotal) {
        this(id, kind, state, volume, snapshot, target, backup, mode, created, finished, error, bytesDone, bytesTotal, null, null);
    }

    JobRecord with(State newState, Instant when, String why, long done, long total) {
        return new JobRecord(id, kind, newState, volume, snapshot, target, backup, mode, created, when, why, done, total,
                compression, labels);
    }
}
