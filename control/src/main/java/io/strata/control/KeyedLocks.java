package io.strata.control;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Locks by name, e.g. {@code volume/pvc-1}: calls on one volume run one at a time, calls on
 * different volumes side by side, so that a long call (a clone's copy, a backup's deletion on a
 * slow target) holds up only its own volume. Locks are reentrant, and several keys are taken in
 * sorted order, so two calls that need the same two volumes cannot deadlock. One instance is shared
 * by the use cases that must not race on a volume ({@link VolumeService}, {@link SnapshotService}).
 */
public final class KeyedLocks {

    /** Held locks; closing releases them, closing again does nothing. */
    public interface Held extends AutoCloseable {
        @Override
        void close();
    }

    private static final class Entry {
        final ReentrantLock lock = new ReentrantLock();
        int users;
    }

    private final Map<String, Entry> entries = new HashMap<>();

    /** The key of a volume's lock. */
    public static String volume(String name) {
        return "volume/" + name;
    }

    /** The key of a snapshot name's lock: a snapshot name names one snapshot across volumes. */
    public static String snapshot(String name) {
        return "snapshot/" + name;
    }

    /** Waits for and takes every lock of {@code keys}. */
    public Held lock(String... keys) {
        List<Map.Entry<String, Entry>> taken = new ArrayList<>(keys.length);
        for (String key : Arrays.stream(keys).distinct().sorted().toList()) {
            Entry entry;
            synchronized (entries) {
                entry = entries.computeIfAbsent(key, k -> new Entry());
                entry.users++;
            }
            entry.lock.lock();
            taken.add(Map.entry(key, entry));
        }
        java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();
        return () -> {
            if (!released.compareAndSet(false, true)) {
                return;
            }
            for (int i = taken.size() - 1; i >= 0; i--) {
                Entry entry = taken.get(i).getValue();
                entry.lock.unlock();
                synchronized (entries) {
                    if (--entry.users == 0) {
                        entries.remove(taken.get(i).getKey());
                    }
                }
            }
        };
    }
}
