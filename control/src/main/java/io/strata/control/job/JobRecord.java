package io.strata.control.job;

import java.time.Instant;

/**
 * A long-running job as stored: what it does, how far it got when it last changed state, and how it
 * ended. Live progress of a running job comes from {@link BackupJobs#progress}.
 *
 * @param id       the job's key: a backup job's CSI snapshot name, a restore job's new volume
 * @param volume   the source volume of a backup, the new volume of a restore
 * @param snapshot the snapshot a backup reads (named like the job); null for restores
 * @param target   the backup target URL
 * @param backup   the backup's name in the target
 * @param error    why it failed; null unless {@code state} is ERROR
 */
public record JobRecord(String id, Kind kind, State state, String volume, String snapshot, String target, String backup,
                        String mode, Instant created, Instant finished, String error, long bytesDone, long bytesTotal) {

    public enum Kind { BACKUP, RESTORE }

    public enum State {
        /** Running, or to be resumed when the server starts. */
        RUNNING,
        COMPLETE,
        ERROR
    }

    JobRecord with(State newState, Instant when, String why, long done, long total) {
        return new JobRecord(id, kind, newState, volume, snapshot, target, backup, mode, created, when, why, done, total);
    }
}
