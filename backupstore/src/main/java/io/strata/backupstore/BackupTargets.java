package io.strata.backupstore;

import io.strata.backupstore.lock.LockJournal;
import io.strata.backupstore.s3.S3Target;
import io.strata.backupstore.target.BackupTarget;
import io.strata.backupstore.target.DirectoryTarget;
import io.strata.backupstore.target.NfsMount;
import io.strata.backupstore.target.TargetUrl;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Opens the {@link BackupTarget} a URL names: a directory, an NFS export (mounted first) or an S3
 * bucket. Opening a target also removes the lock files that earlier, dead processes of this node
 * left on it ({@link LockJournal#removeStale}): a process killed during a backup, restore or
 * deletion cannot release its lock, and Longhorn's lock files name no owner another node could clean.
 */
public final class BackupTargets {
    private final Map<String, String> environment;
    private final Path mountRoot;
    private final NfsMount nfs;
    private final LockJournal journal;

    /** As {@link #BackupTargets(Map, Path, NfsMount, LockJournal)}, keeping no note of held locks. */
    public BackupTargets(Map<String, String> environment, Path mountRoot, NfsMount nfs) {
        this(environment, mountRoot, nfs, LockJournal.NONE);
    }

    /**
     * @param environment where S3 credentials and endpoints come from ({@code System.getenv()} in production)
     * @param mountRoot   where NFS targets are mounted, e.g. {@code <data dir>/mounts}
     * @param journal     where this node notes the locks it holds, e.g. a {@link io.strata.backupstore.lock.DirectoryLockJournal}
     *                    in {@code <data dir>/backup-locks}
     */
    public BackupTargets(Map<String, String> environment, Path mountRoot, NfsMount nfs, LockJournal journal) {
        this.environment = Map.copyOf(environment);
        this.mountRoot = mountRoot;
        this.nfs = nfs;
        this.journal = journal;
    }

    public BackupTarget open(String url) throws IOException {
        BackupTarget target = openTarget(url);
        journal.removeStale(target);
        return target;
    }

    private BackupTarget openTarget(String url) throws IOException {
        return switch (TargetUrl.parse(url)) {
            case TargetUrl.Directory dir -> new DirectoryTarget(url, dir.path());
            case TargetUrl.Nfs share -> new DirectoryTarget(url, nfs.ensureMounted(share, mountRoot));
            case TargetUrl.S3 s3 -> S3Target.open(s3, environment);
        };
    }

    /**
     * Opens every target on which dead processes of this node left lock files, and so removes
     * them: for a start, which may not open those targets otherwise. A target that cannot be
     * opened now keeps its leftovers for the next time.
     *
     * @return how many lock files were removed
     */
    public int removeStaleLocks() {
        int removed = 0;
        for (String url : journal.staleTargets()) {
            try (BackupTarget target = openTarget(url)) {
                removed += journal.removeStale(target);
            } catch (IOException | RuntimeException unreachable) {
                // tried again at the next open of that target, or the next start
            }
        }
        return removed;
    }

    /** Where the locks taken on these targets are noted while held. */
    public LockJournal journal() {
        return journal;
    }
}
