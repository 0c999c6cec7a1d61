package io.strata.backupstore;

import io.strata.backupstore.lock.LockJournal;
import io.strata.backupstore.s3.S3Target;
import io.strata.backupstore.target.BackupTarget;
import io.strata.backupstore.target.DirectoryTarget;
import io.strata.backupstore.target.NfsMount;
import io.strata.backupstore.target.TargetUrl;
import io.strata.domain.PrivateFiles;
import io.strata.domain.Hint;
import io.strata.domain.Redaction;
import io.strata.domain.StrataException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
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

    /**
     * Opens the target {@code url} names. A directory target must exist already: one that does not
     * may be an NFS export that is not mounted, whose backups would silently fill the local disk
     * ({@link #createDirectory} makes one on request).
     *
     * @throws StrataException.FailedPrecondition when a directory target does not exist or is not a directory
     */
    public BackupTarget open(String url) throws IOException {
        BackupTarget target = openTarget(url);
        journal.removeStale(target);
        return target;
    }

    private BackupTarget openTarget(String url) throws IOException {
        return switch (TargetUrl.parse(url)) {
            case TargetUrl.Directory dir -> new DirectoryTarget(url, existingDirectory(url, dir.path()));
            case TargetUrl.Nfs share -> new DirectoryTarget(url, nfs.ensureMounted(share, mountRoot));
            case TargetUrl.S3 s3 -> S3Target.open(s3, environment);
        };
    }

    /**
     * Creates the directory a {@code file://} or {@code vfs://} target names, {@code rwx------}, with
     * its missing parents; any other target is left as it is (an NFS export is mounted, an S3
     * bucket is the store's owner's to create).
     *
     * @return whether a directory was created
     */
    public static boolean createDirectory(String url) throws IOException {
        if (TargetUrl.parse(url) instanceof TargetUrl.Directory dir && !Files.isDirectory(dir.path())) {
            if (Files.exists(dir.path(), LinkOption.NOFOLLOW_LINKS)) {
                throw notADirectory(url);
            }
            PrivateFiles.createDirectories(dir.path());
            return true;
        }
        return false;
    }

    private static Path existingDirectory(String url, Path path) {
        if (Files.isDirectory(path)) {
            return path;
        }
        if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            throw notADirectory(url);
        }
        throw new StrataException.FailedPrecondition("backup target " + Redaction.url(url) + " does not exist")
                .withHint(new Hint.CreateTargetDirectory(url));
    }

    private static StrataException notADirectory(String url) {
        return new StrataException.FailedPrecondition("backup target " + Redaction.url(url) + " is not a directory: give the URL of"
                + " a directory");
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
