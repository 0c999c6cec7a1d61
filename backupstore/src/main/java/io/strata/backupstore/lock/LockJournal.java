package io.strata.backupstore.lock;

import io.strata.backupstore.target.BackupTarget;
import java.io.IOException;
import java.util.Set;

/**
 * Where a process notes the lock files it holds, so that after it dies (kill -9, power loss) the
 * next process on the same node can remove them instead of leaving a {@code .lck} on the target
 * for ever. Longhorn's lock files carry no owner, so the note is kept on the node, not in the file.
 *
 * <p>Contract: {@link #holding} is called before the lock file is first written, so a crash at any
 * point leaves a note for every file that may exist; {@link #released} after the file is removed
 * (or could not be). {@link #removeStale} removes from a target the files noted by processes that
 * are no longer alive, and their notes; it never touches a live process's lock, and a file it
 * cannot remove now is tried again the next time.
 */
public interface LockJournal {

    /** Keeps no notes: for tests and tools whose locks are never left behind by a crash that matters. */
    LockJournal NONE = new LockJournal() {
        @Override
        public void holding(String targetUrl, String key) {}

        @Override
        public void released(String targetUrl, String key) {}

        @Override
        public int removeStale(BackupTarget target) {
            return 0;
        }

        @Override
        public Set<String> staleTargets() {
            return Set.of();
        }
    };

    /** Notes that this process is about to write lock file {@code key} on target {@code targetUrl}. */
    void holding(String targetUrl, String key) throws IOException;

    /** Drops the note of lock file {@code key}: it is removed, or left to expire. Never throws. */
    void released(String targetUrl, String key);

    /**
     * Removes from {@code target} the lock files that dead processes of this node noted, and their notes.
     *
     * @return how many lock files were removed
     */
    int removeStale(BackupTarget target);

    /** The URLs of the targets that hold lock files noted by dead processes: what a start should open and clean. */
    Set<String> staleTargets();
}
