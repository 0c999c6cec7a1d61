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

    /** A held lock is trusted only this long after its last successful write: well inside {@link #EXPIRY}. */
    static final Duration TRUSTED = EXPIRY.minus(Duration.ofSeconds(30));

    private final BackupTarget target;
    private final String name;
    private final String key;
    private final byte[] acquiredContent;
    private final ScheduledFuture<?> refresh;
    private volatile long lastWrittenNanos = System.nanoTime();
    private volatile boolean released;

    private BackupLock(BackupTarget target, String name, String key, byte[] acquiredContent, ScheduledExecutorService scheduler) {
        this.target = target;
        this.name = name;
        this.key = key;
        this.acquiredContent = acquiredContent;
        this.refresh = scheduler.scheduleAtFixedRate(this::rewrite, REFRESH.toMillis(), REFRESH.toMillis(), TimeUnit.MILLISECONDS);
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
        String name = "lock-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        String key = StoreLayout.lock(volume, name);
        target.write(key, content(name, type, false));
        try {
            sleep(settle);
            List<Seen> all = locks(target, volume, clock);
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
            target.write(key, acquired);
            return new BackupLock(target, name, key, acquired, scheduler);
        } catch (IOException | RuntimeException e) {
            target.delete(key);
            throw e;
        }
    }

    /** The volume's unexpired locks; unreadable lock files count as unexpired rivals of no type we share. */
    private static List<Seen> locks(BackupTarget target, String volume, Clock clock) {
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
                if (Duration.between(modified.get(), clock.instant()).compareTo(EXPIRY) > 0) {
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

    private void rewrite() {
        if (!released) {
            try {
                target.write(key, acquiredContent);
                lastWrittenNanos = System.nanoTime();
            } catch (IOException | RuntimeException e) {
                // the next refresh tries again; 150 s leave room for two misses
            }
        }
    }

    /** The lock's name, {@code lock-} and 16 hex characters; its file is {@code locks/<name>.lck}. */
    public String name() {
        return name;
    }

    /**
     * Fails when the lock may have expired on the store: its refreshes have failed for so long that
     * a rival could have taken the volume. Work that commits under the lock calls this first.
     *
     * @throws StrataException.Unavailable when the lock can no longer be trusted
     */
    public void checkHeld() {
        long since = System.nanoTime() - lastWrittenNanos;
        if (released || since > TRUSTED.toNanos()) {
            throw new StrataException.Unavailable("lost the backupstore lock " + name + (released ? "" : ": it could not be refreshed for "
                    + Duration.ofNanos(since).toSeconds() + " s") + "; the backup target may be unreachable, retry when it is back");
        }
    }

    /**
     * Whether lock {@code lockName} of {@code volume} is present and unexpired on the store: a
     * process holding it may still be at work.
     */
    public static boolean isLive(BackupTarget target, String volume, String lockName, Clock clock) throws IOException {
        if (!lockName.matches("lock-[0-9a-f]{16}")) {
            return false;
        }
        Optional<Instant> modified = target.modified(StoreLayout.lock(volume, lockName));
        return modified.isPresent() && Duration.between(modified.get(), clock.instant()).compareTo(EXPIRY) <= 0;
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
        if (!released) {
            released = true;
            refresh.cancel(false);
            try {
                target.delete(key);
            } catch (IOException | RuntimeException e) {
                // it expires on its own
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
