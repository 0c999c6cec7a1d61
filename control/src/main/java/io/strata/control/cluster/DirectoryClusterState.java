package io.strata.control.cluster;

import io.strata.domain.PrivateFiles;
import io.strata.domain.StrataException;
import io.strata.domain.VolumeName;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * {@link ClusterState} in a directory that several processes on one machine share (tests, labs):
 *
 * <pre>
 * DIR/lock                 held (FileChannel.lock) by whoever changes anything
 * DIR/settings             version=N, backupTarget=URL
 * DIR/lease                holder, token, expires (epoch millis); never deleted, so tokens only grow
 * DIR/reservations/VOLUME  node=ID
 * DIR/.tmp-*, DIR/reservations/.tmp-*   a write in progress, or left by a crash: never read
 * </pre>
 *
 * <p>Every change happens under the lock file, written to a temp file, fsynced, moved into place
 * (a reservation is hard-linked into place, which fails when the name exists: create-if-absent) and
 * the directory fsynced. A crash leaves at worst a temp file, which readers ignore and the next
 * writer may leave; the record it was to replace is whole. Reads take no lock: a rename is atomic.
 * Files are {@code rw-------}, directories {@code rwx------}.
 *
 * <p>A file lock belongs to the process, so threads of one process (and several instances on one
 * directory in one process) also queue on an in-process lock per directory.
 */
public final class DirectoryClusterState implements ClusterState {
    private static final ConcurrentHashMap<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();
    private static final String TEMP_PREFIX = ".tmp-";
    /** Every record is a few lines; anything larger is not ours. */
    private static final int MAX_RECORD = 16 * 1024;

    private final Path root;
    private final Path reservations;
    private final Path lockFile;
    private final ReentrantLock inProcess;
    private final Clock clock;

    /** Opens (creating if needed) the state kept in {@code root}; leases are timed by {@code clock}. */
    public DirectoryClusterState(Path root, Clock clock) throws IOException {
        PrivateFiles.createDirectories(root);
        this.root = root.toRealPath();
        this.reservations = this.root.resolve("reservations");
        PrivateFiles.createDirectories(reservations);
        this.lockFile = this.root.resolve("lock");
        this.inProcess = IN_PROCESS.computeIfAbsent(this.root, p -> new ReentrantLock());
        this.clock = clock;
    }

    @Override
    public Optional<Reservation> reserve(String volumeName, String nodeId) {
        Reservation wanted = new Reservation(VolumeName.of(volumeName), NodeId.of(nodeId));
        return locked(() -> {
            Path file = reservations.resolve(wanted.volume().value());
            Properties record = new Properties();
            record.setProperty("node", wanted.node().value());
            try {
                Path temp = writeTemp(reservations, record);
                try {
                    Files.createLink(file, temp);
                } catch (FileAlreadyExistsException held) {
                    Optional<Reservation> holder = readReservation(wanted.volume());
                    return holder.filter(wanted::equals);
                } finally {
                    Files.deleteIfExists(temp);
                }
                fsyncDirectory(reservations);
                return Optional.of(wanted);
            } catch (IOException e) {
                throw unavailable("reserve volume '" + wanted.volume() + "'", e);
            }
        });
    }

    @Override
    public Optional<Reservation> reservation(String volumeName) {
        VolumeName volume = VolumeName.of(volumeName);
        try {
            return readReservation(volume);
        } catch (IOException e) {
            throw unavailable("read the reservation of volume '" + volume + "'", e);
        }
    }

    @Override
    public void release(String volumeName, String nodeId) {
        Reservation mine = new Reservation(VolumeName.of(volumeName), NodeId.of(nodeId));
        locked(() -> {
            try {
                if (readReservation(mine.volume()).filter(mine::equals).isPresent()) {
                    Files.deleteIfExists(reservations.resolve(mine.volume().value()));
                    fsyncDirectory(reservations);
                }
                return null;
            } catch (IOException e) {
                throw unavailable("release volume '" + mine.volume() + "'", e);
            }
        });
    }

    @Override
    public Versioned<Settings> settings() {
        try {
            return readSettings();
        } catch (IOException e) {
            throw unavailable("read the cluster settings", e);
        }
    }

    @Override
    public Versioned<Settings> updateSettings(long expectedVersion, Settings next) {
        java.util.Objects.requireNonNull(next, "next");
        return locked(() -> {
            try {
                Versioned<Settings> now = readSettings();
                if (now.version() != expectedVersion) {
                    throw new StrataException.FailedPrecondition("the cluster settings are at version " + now.version()
                            + ", not " + expectedVersion + ": someone changed them meanwhile; read them again and retry");
                }
                Versioned<Settings> written = new Versioned<>(expectedVersion + 1, next);
                Properties record = new Properties();
                record.setProperty("version", Long.toString(written.version()));
                next.backupTarget().ifPresent(t -> record.setProperty("backupTarget", t));
                replace(root.resolve("settings"), record);
                return written;
            } catch (IOException e) {
                throw unavailable("update the cluster settings", e);
            }
        });
    }

    @Override
    public Lease lease(String holder, Duration ttl) {
        NodeId who = NodeId.of(holder);
        checkTtl(ttl);
        return locked(() -> {
            try {
                Instant now = clock.instant();
                Optional<Lease> last = readLease();
                if (last.isPresent() && !last.get().holder().equals(who) && last.get().heldAt(now)) {
                    throw new StrataException.FailedPrecondition("the controller lease is held by node '" + last.get().holder()
                            + "' until " + last.get().expires() + ": try again after it lapses");
                }
                long token = last.map(l -> l.holder().equals(who) ? l.token() : l.token() + 1).orElse(1L);
                return writeLease(new Lease(who, token, now.plus(ttl)));
            } catch (IOException e) {
                throw unavailable("take the controller lease", e);
            }
        });
    }

    @Override
    public Lease renew(Lease held, Duration ttl) {
        java.util.Objects.requireNonNull(held, "held");
        checkTtl(ttl);
        return locked(() -> {
            try {
                Instant now = clock.instant();
                Optional<Lease> last = readLease();
                boolean stillMine = last.isPresent() && last.get().holder().equals(held.holder())
                        && last.get().token() == held.token() && last.get().heldAt(now);
                if (!stillMine) {
                    throw new StrataException.FailedPrecondition("the controller lease of node '" + held.holder() + "' (token "
                            + held.token() + ") " + last.map(l -> l.token() == held.token() ? "lapsed at " + l.expires()
                                    : "was taken by node '" + l.holder() + "' (token " + l.token() + ")").orElse("does not exist")
                            + ": stop acting as the controller and take the lease anew");
                }
                return writeLease(new Lease(held.holder(), held.token(), now.plus(ttl)));
            } catch (IOException e) {
                throw unavailable("renew the controller lease", e);
            }
        });
    }

    @Override
    public Optional<Lease> current() {
        try {
            return readLease();
        } catch (IOException e) {
            throw unavailable("read the controller lease", e);
        }
    }

    private static void checkTtl(Duration ttl) {
        if (ttl == null || ttl.isNegative() || ttl.isZero()) {
            throw new StrataException.InvalidArgument("lease duration " + ttl + " is not positive: give a duration above zero");
        }
    }

    private Lease writeLease(Lease lease) throws IOException {
        Properties record = new Properties();
        record.setProperty("holder", lease.holder().value());
        record.setProperty("token", Long.toString(lease.token()));
        record.setProperty("expires", Long.toString(lease.expires().toEpochMilli()));
        replace(root.resolve("lease"), record);
        return lease;
    }

    private Optional<Reservation> readReservation(VolumeName volume) throws IOException {
        Path file = reservations.resolve(volume.value());
        return read(file).map(r -> {
            try {
                return new Reservation(volume, NodeId.of(required(r, "node", file)));
            } catch (StrataException.InvalidArgument e) {
                throw corrupt(file);
            }
        });
    }

    private Versioned<Settings> readSettings() throws IOException {
        Path file = root.resolve("settings");
        return read(file).map(r -> {
            try {
                return new Versioned<>(Long.parseLong(required(r, "version", file)),
                        new Settings(Optional.ofNullable(r.getProperty("backupTarget"))));
            } catch (RuntimeException e) {
                throw corrupt(file);
            }
        }).orElse(new Versioned<>(0, Settings.NONE));
    }

    private Optional<Lease> readLease() throws IOException {
        Path file = root.resolve("lease");
        return read(file).map(r -> {
            try {
                return new Lease(NodeId.of(required(r, "holder", file)), Long.parseLong(required(r, "token", file)),
                        Instant.ofEpochMilli(Long.parseLong(required(r, "expires", file))));
            } catch (RuntimeException e) {
                throw corrupt(file);
            }
        });
    }

    private static String required(Properties record, String key, Path file) {
        String value = record.getProperty(key);
        if (value == null) {
            throw corrupt(file);
        }
        return value;
    }

    private static StrataException.Corrupt corrupt(Path file) {
        return new StrataException.Corrupt("cluster state file " + file + " is not a valid record: restore it or remove it");
    }

    private static Optional<Properties> read(Path file) throws IOException {
        byte[] bytes;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            if (channel.size() > MAX_RECORD) {
                throw corrupt(file);
            }
            ByteBuffer buffer = ByteBuffer.allocate((int) channel.size());
            while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
                // read until full or end of file
            }
            bytes = buffer.array();
        } catch (NoSuchFileException absent) {
            return Optional.empty();
        }
        Properties record = new Properties();
        record.load(new StringReader(new String(bytes, StandardCharsets.UTF_8)));
        return Optional.of(record);
    }

    /** Writes {@code record} to a fresh temp file in {@code dir}, fsynced; the caller moves or links it into place. */
    private static Path writeTemp(Path dir, Properties record) throws IOException {
        StringWriter text = new StringWriter();
        record.store(text, null);
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        Path temp = dir.resolve(TEMP_PREFIX + UUID.randomUUID());
        try (FileChannel channel = PrivateFiles.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        }
        return temp;
    }

    private static void replace(Path file, Properties record) throws IOException {
        Path temp = writeTemp(file.getParent(), record);
        try {
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
        fsyncDirectory(file.getParent());
    }

    private static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    /** Runs {@code change} holding the in-process lock and then the lock file. */
    private <T> T locked(Supplier<T> change) {
        inProcess.lock();
        try (FileChannel channel = PrivateFiles.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                var held = channel.lock()) {
            return change.get();
        } catch (IOException e) {
            throw unavailable("lock " + lockFile, e);
        } finally {
            inProcess.unlock();
        }
    }

    private static StrataException.Unavailable unavailable(String what, IOException e) {
        return new StrataException.Unavailable("could not " + what + " in the cluster state directory: " + e.getClass().getSimpleName()
                + "; check that it exists and is writable, then retry", e);
    }
}
