package io.strata.csi;

import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One call at a time per volume (and per snapshot name). A call that finds its volume busy is
 * answered ABORTED at once, the spec's "operation pending" code, which every sidecar retries with
 * backoff: waiting instead could outlast the sidecar's deadline and pile up calls behind a slow one.
 */
final class VolumeLocks {

    private final Set<String> busy = ConcurrentHashMap.newKeySet();

    /** Held locks; closing releases them. */
    interface Held extends AutoCloseable {
        @Override
        void close();
    }

    /** The key of a volume's lock. */
    static String volume(String name) {
        return "volume " + name;
    }

    /**
     * Takes every key or none.
     *
     * @param keys validated names only, e.g. {@code volume pvc-1}: they appear in the message
     */
    Held acquire(String... keys) {
        List<String> taken = new ArrayList<>(keys.length);
        for (String key : keys) {
            if (taken.contains(key)) {
                continue;
            }
            if (!busy.add(key)) {
                taken.forEach(busy::remove);
                throw Status.ABORTED.withDescription("another call on " + key + " is still running; retry once it has ended")
                        .asRuntimeException();
            }
            taken.add(key);
        }
        return () -> taken.forEach(busy::remove);
    }
}
