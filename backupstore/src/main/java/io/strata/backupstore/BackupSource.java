package io.strata.backupstore;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Port: the snapshot a backup reads, as the volume's owner provides it.
 *
 * <p>Contract: {@link #read} of a range never written reads zeroes; {@link #changedRanges} may report
 * more than changed (never less), and reports nothing beyond {@link #size()}; all methods may be called
 * from several threads at once.
 */
public interface BackupSource {

    /** The snapshot's name, stored in the backup as Longhorn's {@code SnapshotName}. */
    String snapshotName();

    /** When the snapshot was taken, stored as Longhorn's {@code SnapshotCreatedAt}; empty: when its backup starts. */
    default Optional<Instant> snapshotCreated() {
        return Optional.empty();
    }

    /** The snapshot's size in bytes. */
    long size();

    /** Whether a snapshot of this volume with that name still exists: the base of an incremental backup. */
    boolean hasSnapshot(String name);

    /**
     * Byte ranges {@code [offset, offset + length)} that may differ from snapshot {@code since}; with no
     * {@code since}, every range that holds data.
     */
    List<long[]> changedRanges(Optional<String> since) throws IOException;

    /** Fills {@code dst} with the snapshot's bytes at {@code offset}. */
    void read(ByteBuffer dst, long offset) throws IOException;
}
