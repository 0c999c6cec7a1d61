package io.strata.backupstore;

import io.strata.domain.StrataException;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/** What a running backup or restore has done so far; read from any thread while it runs. */
public final class BackupProgress {
    public enum State { IN_PROGRESS, COMPLETE, ERROR }

    final AtomicLong bytesToScan = new AtomicLong();
    final AtomicLong bytesScanned = new AtomicLong();
    final AtomicLong bytesUploaded = new AtomicLong();
    final AtomicLong blocksNew = new AtomicLong();
    final AtomicLong blocksReused = new AtomicLong();
    private final AtomicReference<State> state = new AtomicReference<>(State.IN_PROGRESS);
    private volatile String error = "";
    private volatile String cancelled;
    private final java.util.List<String> warnings = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Threads in a {@link #cancellable} target call (guarded by itself), and those a cancel interrupted. */
    private final java.util.Set<Thread> waiting = new java.util.HashSet<>();
    private final java.util.Set<Thread> interrupted = java.util.concurrent.ConcurrentHashMap.newKeySet();

    public long bytesToScan() {
        return bytesToScan.get();
    }

    public long bytesScanned() {
        return bytesScanned.get();
    }

    /** Compressed bytes written to the target. */
    public long bytesUploaded() {
        return bytesUploaded.get();
    }

    public long blocksNew() {
        return blocksNew.get();
    }

    public long blocksReused() {
        return blocksReused.get();
    }

    /** 0 to 100; 100 only once complete. */
    public int percent() {
        if (state.get() == State.COMPLETE) {
            return 100;
        }
        long total = bytesToScan.get();
        return total == 0 ? 0 : (int) Math.min(99, bytesScanned.get() * 100 / total);
    }

    public State state() {
        return state.get();
    }

    /** The error's message once the state is {@link State#ERROR}. */
    public String error() {
        return error;
    }

    /** Problems that did not stop the work but that an operator should hear of. */
    public java.util.List<String> warnings() {
        return java.util.List.copyOf(warnings);
    }

    /** For work outside the backupstore that reports as a restore does (a clone's copy): the bytes it goes through in all. */
    public void toScan(long bytes) {
        bytesToScan.set(bytes);
    }

    /** For work outside the backupstore: {@code bytes} more were gone through. */
    public void scanned(long bytes) {
        bytesScanned.addAndGet(bytes);
    }

    void warn(String warning) {
        warnings.add(warning);
    }

    void complete() {
        state.set(State.COMPLETE);
    }

    /**
     * Asks the work to stop: it checks before each block and fails, with {@code why}, at the next
     * one. Blocks already on their way finish first, so nothing is left half written; only a call to
     * the backup target that is still waiting (a read from a store that does not answer, a hard NFS
     * mount) is interrupted, since it has nothing to leave half done.
     */
    public void cancel(String why) {
        cancelled = why;
        synchronized (waiting) {
            for (Thread t : waiting) {
                interrupted.add(t);
                t.interrupt();
            }
        }
    }

    /** A call to the backup target that a cancel may interrupt. */
    interface TargetCall<T> {
        T run() throws IOException;
    }

    /**
     * Runs one call to the backup target so that {@link #cancel} interrupts it while it waits: a
     * cancel must not wait for a target that never answers. Only target calls go through here, never
     * a volume's: an interrupted file channel is closed, and a volume's channels are shared.
     *
     * @throws StrataException.FailedPrecondition when cancelled, before or during the call
     */
    <T> T cancellable(TargetCall<T> call) throws IOException {
        Thread me = Thread.currentThread();
        synchronized (waiting) {
            checkNotCancelled();
            waiting.add(me);
        }
        try {
            return call.run();
        } catch (IOException | RuntimeException e) {
            String why = cancelled;
            if (why != null && interrupted.contains(me)) {
                StrataException stopped = new StrataException.FailedPrecondition("cancelled: " + why);
                stopped.addSuppressed(e);
                throw stopped;
            }
            throw e;
        } finally {
            synchronized (waiting) {
                waiting.remove(me);
            }
            if (interrupted.remove(me)) {
                Thread.interrupted(); // ours, not a shutdown's: the pool's thread goes on clean
            }
        }
    }

    /** @throws StrataException.FailedPrecondition once {@link #cancel} was asked, naming why */
    public void checkNotCancelled() {
        String why = cancelled;
        if (why != null) {
            throw new StrataException.FailedPrecondition("cancelled: " + why);
        }
    }

    /** Marks the work failed with {@code e}'s message (also for failures before the work itself began). */
    public void fail(Throwable e) {
        error = e.getMessage() == null ? e.toString() : e.getMessage();
        state.set(State.ERROR);
    }
}
