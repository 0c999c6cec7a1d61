package io.strata.backupstore.lock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.backupstore.format.StoreLayout;
import io.strata.backupstore.target.BackupTarget;
import io.strata.domain.StrataException;
import java.io.Closeable;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One held backupstore lock, by Longhorn's protocol:
 *
 * <ol>
 *   <li>write {@code locks/lock-<16 hex>.lck} = {@code {"Name":..,"Type":..,"Acquired":false}};</li>
 *   <li>wait (2 s) so that rivals who wrote at about the same time are visible;</li>
 *   <li>read every lock of the volume; an unexpired lock of <em>another</em> type that sorts first
 *       (acquired first, then older, then by name) wins, and this attempt removes its file and fails;</li>
 *   <li>else rewrite the file with {@code "Acquired":true}, and rewrite it every 60 s while held.</li>
 * </ol>
 *
 * A lock's age is its file's modification time on the store; after 150 s without a rewrite it is
 * expired and ignored. Locks of one type (backups and restores share one) never exclude each other.
 *
 * <p>A holder cannot know whether a rival judged its lock expired; it knows only how long it went
 * without a successful rewrite, on its own monotonic clock. Once that gap reaches
 * {@link LockTiming#trusted()} (a process paused by SIGSTOP or a long GC, a frozen cgroup, a hard
 * NFS mount that blocked), the lock is <em>lost</em> for good: it is not rewritten again, since
 * rewriting would only hide that a deletion may have taken the volume and collected this
 * operation's blocks meanwhile. Work that commits under a lock calls {@link #confirmHeld()} first.
 */
public final class BackupLock implements Closeable {
    public static final Duration EXPIRY = Duration.ofSeconds(150);
    public static final Duration REFRESH = Duration.ofSeconds(60);
    public static final Duration SETTLE = Duration.ofSeconds(2);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Lock types as stored: backups and restores share 1, deletions are 2. */
    public enum Type {
        BACKUP(1), RESTORE(1), DELETION(2);

        final int code;

        Type(int code) {
            this.code = code;
        }
    }

    private record Seen(String name, int type, boolean acquired, Instant modified) {}

    /** Who goes first: acquired locks, then older ones, then by name. */
    private static final Comparator<Seen> ORDER = Comparator.comparing((Seen l) -> !l.acquired())
            .thenComparing(Seen::modified).thenComparing(Seen::name);

    private final BackupTarget target;
    private final String volume;
    private final Type type;
    private final String name;
    private final String key;
    private final byte[] acquiredContent;
    private final LockTiming timing;
    private final LockJournal journal;
    private final ScheduledFuture<?> refresh;
    /** When the last successful write of the file began: the file's modification time is no earlier. */
    private volatile long refreshedNanos;
    /** Why the lock is lost, once it is; never cleared. */
    private final AtomicReference<String> lost = new AtomicReference<>();
    /** Held while the file is rewritten or removed, so that a rewrite never brings a released lock's file back. */
    private final Object writing = new Object();
    private volatile boolean released;

    private BackupLock(BackupTarget target, String volume, Type type, String name, String key, byte[] acquiredContent,
                       LockTiming timing, LockJournal journal, long writtenNanos, ScheduledExecutorService scheduler) {
        this.target = target;
        this.volume = volume;
        this.type = type;
        this.name = name;
        this.key = key;
        this.acquiredContent = acquiredContent;
        this.timing = timing;
        this.journal = journal;
        this.refreshedNanos = writtenNanos;
        long period = timing.refresh().toMillis();
        this.refresh = scheduler.scheduleAtFixedRate(this::rewrite, period, period, TimeUnit.MILLISECONDS);
    }

    /**
     * Takes a lock of {@code type} on backup volume {@code volume}: one attempt, as Longhorn makes.
     *
     * @param settle    how long to wait before looking for rivals ({@link #SETTLE} in production)
     * @param scheduler runs the refresh every {@link #REFRESH}
     * @throws StrataException.Unavailable when a lock of another type holds the volume: retry later
     */
    public static BackupLock acquire(BackupTarget target, String volume, Type type, Clock clock, Duration settle,
                                     ScheduledExecutorService scheduler) throws IOException {
        return acquire(target, volume, type, LockTiming.longhorn(clock, settle), LockJournal.NONE, scheduler);
    }

    /**
     * Takes a lock as {@link #acquire(BackupTarget, String, Type, Clock, Duration, ScheduledExecutorService)}
     * does, with the given timing, noting it in {@code journal} while it is held.
     */
    public static BackupLock acquire(BackupTarget target, String volume, Type type, LockTiming timing, LockJournal journal,
                                     ScheduledExecutorService scheduler) throws IOException {
        String name = "lock-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        String key = StoreLayout.lock(volume, name);
        try {
            journal.holding(target.url(), key);
        } catch (IOException e) {
            // without the note, a crash leaves this lock to expire on its own: no reason to refuse the work
        }
        long firstWrite = timing.nanoTime().getAsLong();
        try {
            target.write(key, content(name, type, false));
        } catch (IOException | RuntimeException e) {
            journal.released(target.url(), key);
            throw e;
        }
        try {
            sleep(timing.settle());
            List<Seen> all = locks(target, volume, timing);
            Seen ours = all.stream().filter(l -> l.name().equals(name)).findFirst().orElse(null);
            Optional<Seen> winner = all.stream()
                    .filter(l -> !l.name().equals(name) && l.type() != type.code)
                    .filter(l -> ours == null || ORDER.compare(l, ours) < 0)
                    .findFirst();
            if (winner.isPresent()) {
                throw new StrataException.Unavailable("backup volume '" + volume + "' is locked by " + winner.get().name()
                        + " (a " + (winner.get().type() == Type.DELETION.code ? "deletion" : "backup or restore")
                        + "); retry when it is done");
            }
            byte[] acquired = content(name, type, true);
            long writing = timing.nanoTime().getAsLong();
            target.write(key, acquired);
            // "no rival" holds only while our first file looked unexpired to rivals: a stall before this write voids it
            long took = timing.nanoTime().getAsLong() - firstWrite;
            if (took >= timing.trusted().toNanos()) {
                throw new StrataException.Unavailable("taking the lock of backup volume '" + volume + "' stalled for "
                        + Duration.ofNanos(took).toSeconds() + " s, long enough for a rival to take the volume meanwhile; retry");
            }
            return new BackupLock(target, volume, type, name, key, acquired, timing, journal, writing, scheduler);
        } catch (IOException | RuntimeException e) {
            try {
                target.delete(key);
                journal.released(target.url(), key);
            } catch (IOException | RuntimeException cleanup) {
                e.addSuppressed(cleanup); // the note stays: the next start removes the file
            }
            throw e;
        }
    }

    /** The volume's unexpired locks; unreadable lock files count as unexpired rivals of no type we share. */
    private static List<Seen> locks(BackupTarget target, String volume, LockTiming timing) {
        List<Seen> out = new ArrayList<>();
        try {
            for (String file : target.list(StoreLayout.locksDirectory(volume))) {
                if (!file.endsWith(".lck")) {
                    continue;
                }
                String lockName = file.substring(0, file.length() - 4);
                String lockKey = StoreLayout.locksDirectory(volume) + "/" + file;
                Optional<Instant> modified = target.modified(lockKey);
                Optional<byte[]> data = target.read(lockKey);
                if (modified.isEmpty() || data.isEmpty()) {
                    continue; // released meanwhile
                }
                if (expired(modified.get(), timing.clock(), timing.expiry())) {
                    continue;
                }
                out.add(parse(lockName, data.get(), modified.get()));
            }
        } catch (IOException e) {
            throw new StrataException.Unavailable("cannot read the locks of backup volume '" + volume + "': " + e.getMessage(), e);
        }
        return out;
    }

    private static Seen parse(String name, byte[] data, Instant modified) {
        try {
            JsonNode n = JSON.readTree(data);
            return new Seen(name, n.path("Type").asInt(-1), n.path("Acquired").asBoolean(false), modified);
        } catch (IOException e) {
            return new Seen(name, -1, false, modified); // unreadable: treat as a rival of unknown type
        }
    }

    private static byte[] content(String name, Type type, boolean acquired) {
        ObjectNode n = JSON.createObjectNode();
        n.put("Name", name);
        n.put("Type", type.code);
        n.put("Acquired", acquired);
        try {
            return JSON.writeValueAsBytes(n);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Longhorn's rule, the one every rival applies: expired when more than {@code expiry} older than now. */
    private static boolean expired(Instant modified, Clock clock, Duration expiry) {
        return Duration.between(modified, clock.instant()).compareTo(expiry) > 0;
    }

    /**
     * The periodic rewrite. It never resurrects a lock that may have expired: when the gap since the
     * last successful write reached the trust window, before or during this write, the lock is lost.
     */
    private void rewrite() {
        synchronized (writing) {
            if (released || lost.get() != null) {
                return;
            }
            long start = timing.nanoTime().getAsLong();
            if (gapReached(start)) {
                return;
            }
            try {
                if (target.read(key).isEmpty()) {
                    lose("its file " + key + " was removed from the backup target by another process");
                    return;
                }
                target.write(key, acquiredContent);
            } catch (IOException | RuntimeException e) {
                return; // the next refresh tries again: the trust window leaves room for one more miss
            }
            if (!gapReached(timing.nanoTime().getAsLong())) {
                refreshedNanos = start;
            }
        }
    }

    /** Whether the lock went too long without a rewrite at {@code nanos}; if so, it is lost from now on. */
    private boolean gapReached(long nanos) {
        long gap = nanos - refreshedNanos;
        if (gap >= timing.trusted().toNanos()) {
            lose("it was not rewritten for " + Duration.ofNanos(gap).toMillis() / 1000.0 + " s (the process or the backup target"
                    + " stalled), while rival processes count it expired after " + timing.expiry().toSeconds()
                    + " s and may have taken the volume");
            return true;
        }
        return false;
    }

    private void lose(String why) {
        lost.compareAndSet(null, why);
    }

    /** The lock's name, {@code lock-} and 16 hex characters; its file is {@code locks/<name>.lck}. */
    public String name() {
        return name;
    }

    /**
     * Fails when the lock may have expired on the store: it went so long without a rewrite (its
     * refreshes failed, or the process or the target stalled) that a rival could have taken the
     * volume. Cheap (no I/O): work under the lock calls it as it goes, to stop early.
     *
     * @throws StrataException.Unavailable when the lock is lost or released; the work must not commit
     */
    public void checkHeld() {
        if (released) {
            throw new StrataException.Unavailable("the backupstore lock " + name + " of backup volume '" + volume
                    + "' was released before the work under it finished; retry it");
        }
        gapReached(timing.nanoTime().getAsLong());
        String why = lost.get();
        if (why != null) {
            throw new StrataException.Unavailable("lost the backupstore lock " + name + " of backup volume '" + volume + "': "
                    + why + "; the work under it is not committed: retry it");
        }
    }

    /**
     * Throws the loss of this lock, with {@code failure} suppressed, when work under it failed after
     * the lock was lost: the failure is then most likely its consequence (a rival that took the volume
     * removed what this work wrote, such as an upload's temporary file), and the loss is what to
     * report. Returns when the lock still holds, or when {@code failure} already says it is lost.
     */
    public void failIfLost(Exception failure) {
        if (failure instanceof StrataException.Unavailable) {
            return;
        }
        try {
            checkHeld();
        } catch (StrataException.Unavailable lostLock) {
            lostLock.addSuppressed(failure);
            throw lostLock;
        }
    }

    /**
     * Checks, just before a commit, that the lock still holds: {@link #checkHeld()}, then the lock
     * files re-read from the store: this lock's file must still be there, and no lock of another
     * type may have been acquired since (which happens only when a rival judged this one expired).
     *
     * @throws StrataException.Unavailable when the lock is lost; the work must not commit
     */
    public void confirmHeld() throws IOException {
        checkHeld();
        if (target.read(key).isEmpty()) {
            lose("its file " + key + " was removed from the backup target by another process");
        } else {
            for (Seen rival : locks(target, volume, timing)) {
                if (rival.acquired() && rival.type() != type.code && rival.type() != -1) {
                    lose("lock " + rival.name() + " (a " + (rival.type() == Type.DELETION.code ? "deletion" : "backup or restore")
                            + ") took the volume meanwhile");
                    break;
                }
            }
        }
        checkHeld(); // also when reading the locks stalled
    }

    /**
     * Whether lock {@code lockName} of {@code volume} is present and unexpired on the store by
     * Longhorn's rule (modified no more than {@code expiry} before {@code clock}'s now): a process
     * holding it may still be at work.
     */
    public static boolean isLive(BackupTarget target, String volume, String lockName, Clock clock, Duration expiry) throws IOException {
        if (!lockName.matches("lock-[0-9a-f]{16}")) {
            return false;
        }
        Optional<Instant> modified = target.modified(StoreLayout.lock(volume, lockName));
        return modified.isPresent() && !expired(modified.get(), clock, expiry);
    }

    /** The lock's key on the store. */
    public String key() {
        return key;
    }

    /**
     * Releases the lock: stops refreshing and removes its file. When the target cannot remove it
     * now, the file expires after {@link #EXPIRY}; the work done under the lock stands either way,
     * so this never throws.
     */
    @Override
    public void close() {
        synchronized (writing) {
            if (released) {
                return;
            }
            released = true;
            refresh.cancel(false);
            try {
                target.delete(key);
                journal.released(target.url(), key);
            } catch (IOException | RuntimeException e) {
                // it expires on its own; the journal keeps its note, so the next start removes it
            }
        }
    }

    private static void sleep(Duration d) {
        if (d.isZero()) {
            return;
        }
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StrataException.Unavailable("interrupted while taking a backupstore lock");
        }
    }
}
