package io.strata.control.job;

import io.strata.backupstore.BackupProgress;
import io.strata.domain.Redaction;
import java.time.Instant;
import java.util.Map;

/**
 * A long-running job as stored: what it does, how far it got when it last changed state, and how it
 * ended. Live progress of a running job comes from {@link Jobs.Status#live}.
 *
 * @param id          the job's key: a backup job's snapshot name (CSI) or backup name (REST), a restore's or clone's new volume
 * @param volume      the source volume of a backup, the new volume of a restore or clone
 * @param snapshot    the snapshot a backup or clone reads; for a restore, the backup volume it reads from
 * @param target      the backup target URL; for a clone, the volume it copies from
 * @param backup      the backup's name in the target
 * @param error       why it failed; null unless {@code state} is ERROR
 * @param compression a backup's compression method; null for lz4 (and for records written before it was kept)
 * @param labels      a backup's labels; null to take the labels of the snapshot it reads
 * @param bytesUploaded compressed bytes a backup sent to the target, as of its end
 * @param blocksNew     blocks a backup uploaded, as of its end
 * @param blocksReused  blocks a backup found in the target already, as of its end
 * @param blockSize     a backup's block size for a new backup volume; 0 (and in records written before it was kept):
 *                      the backup volume's own, 2 MiB for a new one
 */
public record JobRecord(String id, Kind kind, State state, String volume, String snapshot, String target, String backup,
                        String mode, Instant created, Instant finished, String error, long bytesDone, long bytesTotal,
                        String compression, Map<String, String> labels, long bytesUploaded, long blocksNew, long blocksReused,
                        long blockSize) {

    /** A job whose backup takes the backup volume's block size. */
    public JobRecord(String id, Kind kind, State state, String volume, String snapshot, String target, String backup,
                     String mode, Instant created, Instant finished, String error, long bytesDone, long bytesTotal,
                     String compression, Map<String, String> labels, long bytesUploaded, long blocksNew, long blocksReused) {
        this(id, kind, state, volume, snapshot, target, backup, mode, created, finished, error, bytesDone, bytesTotal, compression,
                labels, bytesUploaded, blocksNew, blocksReused, 0);
    }

    /** The error is stored and shown (REST, CLI, UI): a URL it quotes keeps no credentials. */
    public JobRecord {
        error = Redaction.text(error);
    }

    public enum Kind { BACKUP, RESTORE, CLONE }

    public enum State {
        /** Running, or to be resumed when the server starts. */
        RUNNING,
        COMPLETE,
        ERROR
    }

    /** A job whose backup takes lz4 and the labels of the snapshot it reads. */
    public JobRecord(String id, Kind kind, State state, String volume, String snapshot, String target, String backup,
                     String mode, Instant created, Instant finished, String error, long bytesDone, long bytesTotal) {
        this(id, kind, state, volume, snapshot, target, backup, mode, created, finished, error, bytesDone, bytesTotal, null, null, 0, 0, 0);
    }

    JobRecord with(State newState, Instant when, String why, BackupProgress progress) {
        return new JobRecord(id, kind, newState, volume, snapshot, target, backup, mode, created, when, why, progress.bytesScanned(),
                progress.bytesToScan(), compression, labels, progress.bytesUploaded(), progress.blocksNew(), progress.blocksReused(),
                blockSize);
    }
}
