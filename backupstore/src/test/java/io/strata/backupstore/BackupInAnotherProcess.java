package io.strata.backupstore;

import io.strata.backupstore.BackupStore.BackupRequest;
import io.strata.backupstore.format.BackupConfig;
import io.strata.backupstore.format.Compression;
import io.strata.backupstore.lock.LockJournal;
import io.strata.backupstore.lock.LockTiming;
import io.strata.backupstore.target.DirectoryTarget;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A second process for {@link StalledProcessBackupTest}: backs up a volume of {@code MiB} MiB of
 * {@link #content seeded bytes} to a directory target, slowly (a pause per block read) so that it
 * can be stopped mid-upload, between two block writes. Prints {@code READ <n>} after each block read, then
 * {@code COMMITTED <name>} or {@code FAILED <exception class> <message>}.
 *
 * <p>Arguments: target directory, volume, backup name, lock expiry in ms, size in MiB, seed, pause per block in ms.
 */
public final class BackupInAnotherProcess {
    private BackupInAnotherProcess() {}

    /** The volume's bytes: what the test expects a restore of this backup to give. */
    static byte[] content(int mib, long seed) {
        byte[] bytes = new byte[mib << 20];
        new java.util.Random(seed).nextBytes(bytes);
        return bytes;
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        String volume = args[1];
        String backup = args[2];
        Duration expiry = Duration.ofMillis(Long.parseLong(args[3]));
        byte[] content = content(Integer.parseInt(args[4]), Long.parseLong(args[5]));
        long pauseMillis = Long.parseLong(args[6]);
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        DirectoryTarget target = new DirectoryTarget("file://" + dir, dir);
        LockTiming timing = LockTiming.longhorn(Clock.systemUTC(), Duration.ofMillis(200)).withExpiry(expiry);
        BackupStore store = new BackupStore(target, BackupStore.Locks.of(target, timing, LockJournal.NONE, scheduler),
                Clock.systemUTC());
        AtomicInteger reads = new AtomicInteger();
        BackupSource source = new BackupSource() {
            @Override public String snapshotName() { return "snap-" + backup; }
            @Override public long size() { return content.length; }
            @Override public boolean hasSnapshot(String name) { return false; }
            @Override public List<long[]> changedRanges(Optional<String> since) { return List.of(new long[] {0, content.length}); }

            @Override
            public void read(ByteBuffer dst, long offset) throws IOException {
                try {
                    Thread.sleep(pauseMillis); // the previous block's write ends meanwhile: a stop after READ lands between writes
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted");
                }
                dst.put(content, (int) offset, dst.remaining());
                say("READ " + reads.incrementAndGet());
            }
        };
        try {
            BackupConfig done = store.backup(new BackupRequest(volume, Optional.of(backup), source, false, Compression.LZ4,
                    2 << 20, Map.of(), 1), new BackupProgress());
            say("COMMITTED " + done.name());
        } catch (IOException | RuntimeException e) {
            say("FAILED " + e.getClass().getSimpleName() + " " + e.getMessage());
        }
        scheduler.shutdownNow();
    }

    private static synchronized void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
