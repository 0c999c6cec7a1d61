package io.strata.control;

import io.strata.backupstore.BackupTargets;
import io.strata.control.state.StateStore;
import io.strata.domain.Redaction;
import io.strata.domain.StrataException;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Where backups go: the target the process was configured with (flag, environment or default),
 * unless one was saved since, which then holds across restarts until it is cleared. A target is
 * saved only once it has been opened and listed, so a typo or an unreachable bucket is refused
 * rather than found by the next backup.
 *
 * <p>Read by every call that needs the target ({@link #get}); safe for concurrent use.
 */
public final class BackupTargetSetting implements Supplier<String> {
    private static final String KEY = "backup-target";

    /** What is stored: the target and when it was saved. */
    public record Saved(String url, Instant saved) {}

    /** The target in use and where it comes from. */
    public record Current(String url, boolean saved, Optional<Instant> savedAt, String configured) {}

    private final StateStore.Table<Saved> table;
    private final String configured;
    private final BackupService backups;
    private final Clock clock;
    private volatile String current;

    /**
     * @param configured the target from the process's configuration, used while none is saved
     * @param backups    opens a target to check it before it is saved
     */
    public BackupTargetSetting(StateStore state, String configured, BackupService backups, Clock clock) throws IOException {
        this.table = state.table("settings", Saved.class);
        this.configured = configured;
        this.backups = backups;
        this.clock = clock;
        this.current = table.get(KEY).map(Saved::url).orElse(configured);
    }

    /** The saved target, if any, without a {@link BackupService} to change it: what an offline command reads. */
    public static Optional<String> saved(StateStore state) throws IOException {
        return state.table("settings", Saved.class).get(KEY).map(Saved::url);
    }

    @Override
    public String get() {
        return current;
    }

    public synchronized Current current() throws IOException {
        Optional<Saved> saved = table.get(KEY);
        return new Current(current, saved.isPresent(), saved.map(Saved::saved), configured);
    }

    /**
     * Opens {@code url} and lists its backup volumes, then saves it as the target for what follows.
     * Backups and restores already running finish on the target they started with.
     *
     * @throws StrataException.InvalidArgument    when the URL is not a target URL
     * @throws StrataException.FailedPrecondition when it names a directory that does not exist
     * @throws StrataException.Unavailable        when the target cannot be opened or listed now
     */
    public Current set(String url) throws IOException {
        return set(url, false);
    }

    /**
     * {@link #set(String)}, creating the directory a {@code file://} target names first when
     * {@code create} is true. Without it a missing directory is refused: it may be an NFS mount point
     * whose export is not mounted, and backups there would fill the local disk unnoticed.
     */
    public synchronized Current set(String url, boolean create) throws IOException {
        if (url == null || url.isBlank()) {
            throw new StrataException.InvalidArgument("the backup target URL is empty: give file:///path, nfs://server:/export or"
                    + " s3://bucket@region/path/");
        }
        String target = url.strip();
        try {
            if (create) {
                BackupTargets.createDirectory(target);
            }
            backups.backupVolumeEntries(target); // lists, and does not mind a damaged cfg: the target answers
        } catch (StrataException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new StrataException.Unavailable("backup target " + Redaction.url(target) + " cannot be opened or listed (" + describe(e)
                    + "): check the URL, its credentials and the network, then try again", e);
        }
        table.put(KEY, new Saved(target, clock.instant()));
        current = target;
        return current();
    }

    /** Forgets the saved target: the configured one is used again. */
    public synchronized Current clear() throws IOException {
        table.delete(KEY);
        current = configured;
        return current();
    }

    /** Only the type: a third-party message may quote an endpoint's answer or a credential. */
    private static String describe(Throwable e) {
        return e.getClass().getSimpleName();
    }
}
