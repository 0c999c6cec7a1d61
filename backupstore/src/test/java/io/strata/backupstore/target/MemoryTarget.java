package io.strata.backupstore.target;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListMap;

/** A {@link BackupTarget} in memory, for tests of what is built on the port. */
public final class MemoryTarget implements BackupTarget {
    private record Entry(byte[] data, Instant modified) {}

    private final ConcurrentSkipListMap<String, Entry> objects = new ConcurrentSkipListMap<>();

    @Override
    public String url() {
        return "memory://";
    }

    @Override
    public Optional<byte[]> read(String key, long maxBytes) {
        Entry entry = objects.get(Keys.check(key));
        if (entry != null && entry.data().length > maxBytes) {
            throw new io.strata.domain.StrataException.Corrupt(key + " in " + url() + " holds " + entry.data().length
                    + " bytes, more than the " + maxBytes + " it may");
        }
        return entry == null ? Optional.empty() : Optional.of(entry.data().clone());
    }

    @Override
    public void write(String key, byte[] data) {
        objects.put(Keys.check(key), new Entry(data.clone(), Instant.now()));
    }

    @Override
    public List<String> list(String prefix) {
        String start = prefix.isEmpty() ? "" : Keys.check(prefix) + "/";
        TreeSet<String> names = new TreeSet<>();
        for (String key : objects.tailMap(start).keySet()) {
            if (!key.startsWith(start)) {
                break;
            }
            String rest = key.substring(start.length());
            int slash = rest.indexOf('/');
            names.add(slash < 0 ? rest : rest.substring(0, slash));
        }
        return new ArrayList<>(names);
    }

    @Override
    public Optional<Instant> modified(String key) {
        Entry entry = objects.get(Keys.check(key));
        return entry == null ? Optional.empty() : Optional.of(entry.modified());
    }

    @Override
    public void delete(String key) {
        objects.remove(Keys.check(key));
    }

    @Override
    public void deleteAll(String prefix) throws IOException {
        String start = Keys.check(prefix) + "/";
        objects.keySet().removeIf(k -> k.startsWith(start) || k.equals(prefix));
    }

    /** Sets an object's modification time, as if it had been written then. */
    public void setModified(String key, Instant when) {
        objects.computeIfPresent(Keys.check(key), (k, e) -> new Entry(e.data(), when));
    }

    /** Every key, for tests that look at the whole store. */
    public Map<String, Integer> sizes() {
        Map<String, Integer> out = new java.util.TreeMap<>();
        objects.forEach((k, v) -> out.put(k, v.data().length));
        return out;
    }
}
