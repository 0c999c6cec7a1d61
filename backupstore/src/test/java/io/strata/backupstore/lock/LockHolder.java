package io.strata.backupstore.lock;

import io.strata.backupstore.target.DirectoryTarget;
import io.strata.domain.StrataException;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * A second process for {@link CrossProcessLockTest}: takes and releases backupstore locks on a
 * directory target when told to on stdin ({@code acquire}, {@code release}), answering on stdout
 * ({@code READY}, {@code HELD <name>}, {@code UNAVAILABLE <message>}, {@code RELEASED}). Arguments: target
 * directory, volume, lock type, settle time in ms, and optionally the directory of its {@link DirectoryLockJournal}.
 */
public final class LockHolder {
    private LockHolder() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        String volume = args[1];
        BackupLock.Type type = BackupLock.Type.valueOf(args[2]);
        Duration settle = Duration.ofMillis(Long.parseLong(args[3]));
        LockJournal journal = args.length > 4 ? new DirectoryLockJournal(Path.of(args[4])) : LockJournal.NONE;
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        DirectoryTarget target = new DirectoryTarget("file://" + dir, dir);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        BackupLock held = null;
        System.out.println("READY");
        System.out.flush();
        for (String line; (line = in.readLine()) != null; ) {
            switch (line) {
                case "acquire" -> {
                    try {
                        held = BackupLock.acquire(target, volume, type, LockTiming.longhorn(Clock.systemUTC(), settle), journal,
                                scheduler);
                        System.out.println("HELD " + held.name());
                    } catch (StrataException.Unavailable e) {
                        System.out.println("UNAVAILABLE " + e.getMessage());
                    }
                }
                case "release" -> {
                    held.close();
                    held = null;
                    System.out.println("RELEASED");
                }
                default -> System.out.println("UNKNOWN " + line);
            }
            System.out.flush();
        }
        scheduler.shutdownNow();
    }
}
