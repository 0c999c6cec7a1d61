package io.strata.backupstore.lock;

import io.strata.backupstore.target.BackupTarget;
import io.strata.domain.PrivateFiles;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A {@link LockJournal} in a directory of the node's data dir: one small file per held lock,
 * named after it, holding the owner process (pid and start time), the target's URL (without
 * credentials) and the lock's key. A process is the same one only if both its pid and its start
 * time match, so a reused pid is not mistaken for the owner. Notes are written temp → fsync →
 * rename, readable by the owner only.
 */
public final class DirectoryLockJournal implements LockJournal {
    private static final String SUFFIX = ".lock-note";
    private final Path dir;
    private final String self;

    public DirectoryLockJournal(Path dir) {
        this.dir = dir;
        this.self = identity(ProcessHandle.current());
    }

    private record Note(Path file, String owner, String targetUrl, String key) {}

    /** {@code <pid> <start millis>}: the start time tells a reused pid apart; 0 where the OS does not say. */
    private static String identity(ProcessHandle process) {
        return process.pid() + " " + process.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
    }

    private static boolean alive(String owner) {
        String[] parts = owner.split(" ");
        if (parts.length != 2 || !parts[0].matches("\\d{1,18}")) {
            return false; // not a note of ours: nothing can be alive behind it
        }
        Optional<ProcessHandle> process = ProcessHandle.of(Long.parseLong(parts[0]));
        return process.isPresent() && process.get().isAlive()
                && (parts[1].equals("0") || identity(process.get()).equals(owner));
    }

    private Path fileOf(String key) {
        String file = key.substring(key.lastIndexOf('/') + 1);
        String name = file.endsWith(".lck") ? file.substring(0, file.length() - ".lck".length()) : file;
        return dir.resolve(name + SUFFIX);
    }

    @Override
    public void holding(String targetUrl, String key) throws IOException {
        PrivateFiles.createDirectories(dir);
        Path file = fileOf(key);
        Path temp = dir.resolve(file.getFileName() + ".tmp." + ThreadLocalRandom.current().nextInt(1 << 30));
        byte[] content = (self + "\n" + targetUrl + "\n" + key + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            try (FileChannel out = PrivateFiles.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                out.write(java.nio.ByteBuffer.wrap(content));
                out.force(true);
            }
            try {
                Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException notPosix) {
                // the note holds no secret; on such a file system it keeps the default mode
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException notSupported) {
            // some file systems refuse to sync a directory; the rename is what counts
        }
    }

    @Override
    public void released(String targetUrl, String key) {
        try {
            Files.deleteIfExists(fileOf(key));
        } catch (IOException e) {
            // a note left behind only makes a later start try to remove a file that is gone
        }
    }

    @Override
    public int removeStale(BackupTarget target) {
        int removed = 0;
        for (Note note : notes()) {
            if (!note.targetUrl().equals(target.url()) || note.owner().equals(self) || alive(note.owner())) {
                continue;
            }
            try {
                if (target.read(note.key()).isPresent()) {
                    target.delete(note.key());
                    removed++;
                }
                Files.deleteIfExists(note.file());
            } catch (IOException | RuntimeException e) {
                // unreachable now: the note stays, and the next start or open tries again
            }
        }
        return removed;
    }

    @Override
    public Set<String> staleTargets() {
        Set<String> out = new TreeSet<>();
        for (Note note : notes()) {
            if (!note.owner().equals(self) && !alive(note.owner())) {
                out.add(note.targetUrl());
            }
        }
        return out;
    }

    private List<Note> notes() {
        List<Note> out = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path file : files) {
                try {
                    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
                    if (lines.size() >= 3 && lines.get(2).contains("/locks/lock-") && lines.get(2).endsWith(".lck")) {
                        out.add(new Note(file, lines.get(0), lines.get(1), lines.get(2)));
                    }
                } catch (IOException gone) {
                    // released meanwhile, or not a note of ours: skipped
                }
            }
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            return out; // an unreadable journal leaves locks to expire, as without one
        }
        return out;
    }

    @Override
    public String toString() {
        return "lock notes in " + dir;
    }
}
