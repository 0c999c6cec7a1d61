package io.strata.domain;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * Recognises a full file system under an I/O failure. The JDK reports {@code ENOSPC} only as an
 * {@link java.io.IOException} whose message is the C library's text, so this is the one place
 * that reads it; each edge (CSI, HTTP, CLI, NBD) then answers "resource exhausted" with
 * {@link #ADVICE} instead of an internal error.
 */
public final class DiskFull {
    /** What a user can do about it. */
    public static final String ADVICE = "the disk is full (no space left on device): free space, e.g. by deleting volumes,"
            + " snapshots or old backups, or give the file system more room, then retry";

    private DiskFull() {}

    /** Whether {@code failure} or one of its causes says the file system had no space left. */
    public static boolean causes(Throwable failure) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Throwable t = failure; t != null && seen.add(t); t = t.getCause()) {
            if (t.getMessage() != null && t.getMessage().contains("No space left on device")) {
                return true;
            }
        }
        return false;
    }
}
