package io.strata.backupstore.target;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * A {@link BackupTarget} that fails on purpose: it passes calls through to another target and
 * throws {@link IOException} for those a rule picks, as a flaky NFS server or S3 endpoint would.
 * Operations are counted so a test can fail exactly the n-th mutation, or every read of some keys.
 */
public final class FaultyTarget implements BackupTarget {
    /** What is being done to which key. */
    public enum Kind { READ, WRITE, LIST, MODIFIED, DELETE, DELETE_ALL }

    public record Operation(Kind kind, String key, long mutationIndex) {
        public boolean mutates() {
            return kind == Kind.WRITE || kind == Kind.DELETE || kind == Kind.DELETE_ALL;
        }
    }

    private final BackupTarget inner;
    private final AtomicLong mutations = new AtomicLong();
    private final AtomicLong injected = new AtomicLong();
    private volatile Predicate<Operation> failWhen = op -> false;

    public FaultyTarget(BackupTarget inner) {
        this.inner = inner;
    }

    /** From now on, fails every operation {@code rule} picks; mutation indexes count from the next one, starting at 1. */
    public FaultyTarget failWhen(Predicate<Operation> rule) {
        mutations.set(0);
        failWhen = rule;
        return this;
    }

    /** Fails nothing any more. */
    public FaultyTarget heal() {
        failWhen = op -> false;
        return this;
    }

    /** Mutations seen since the last {@link #failWhen}. */
    public long mutations() {
        return mutations.get();
    }

    /** How many faults were injected in all. */
    public long injected() {
        return injected.get();
    }

    private void check(Kind kind, String key) throws IOException {
        Operation op = new Operation(kind, key, 0);
        if (op.mutates()) {
            op = new Operation(kind, key, mutations.incrementAndGet());
        }
        if (failWhen.test(op)) {
            injected.incrementAndGet();
            throw new IOException("injected fault: " + kind.name().toLowerCase() + " " + key);
        }
    }

    @Override
    public String url() {
        return inner.url();
    }

    @Override
    public Optional<byte[]> read(String key, long maxBytes) throws IOException {
        check(Kind.READ, key);
        return inner.read(key, maxBytes);
    }

    @Override
    public void write(String key, byte[] data) throws IOException {
        check(Kind.WRITE, key);
        inner.write(key, data);
    }

    @Override
    public List<String> list(String prefix) throws IOException {
        check(Kind.LIST, prefix);
        return inner.list(prefix);
    }

    @Override
    public Optional<Instant> modified(String key) throws IOException {
        check(Kind.MODIFIED, key);
        return inner.modified(key);
    }

    @Override
    public void delete(String key) throws IOException {
        check(Kind.DELETE, key);
        inner.delete(key);
    }

    @Override
    public void deleteAll(String prefix) throws IOException {
        check(Kind.DELETE_ALL, prefix);
        inner.deleteAll(prefix);
    }
}
