package io.strata.backupstore;

import io.strata.backupstore.format.BackupConfig;
import io.strata.backupstore.format.BackupConfig.BlockRef;
import io.strata.backupstore.format.ConfigCodec;
import io.strata.backupstore.lock.BackupLock;
import io.strata.backupstore.target.BackupTarget;
import io.strata.domain.StrataException;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The end of a backup: writing its complete cfg only when that cfg restores, and removing its
 * in-progress cfg when it fails. A backup whose lock may have been taken over must never commit:
 * a deletion that judged the lock expired may have removed the in-progress cfg and collected the
 * blocks this backup uploaded, and a complete cfg naming them would restore as an error at best.
 */
final class BackupCommit {
    private final BackupTarget target;
    private final BackupCatalog catalog;

    BackupCommit(BackupTarget target, BackupCatalog catalog) {
        this.target = target;
        this.catalog = catalog;
    }

    /**
     * Writes {@code done} over the in-progress cfg at {@code cfgKey}, if the lock is still held
     * ({@link BackupLock#confirmHeld()}) and every block it references is stored; after the write,
     * checks the lock once more, since the write itself may have stalled past the trust window, and
     * takes the cfg back if it did.
     *
     * @throws StrataException.Unavailable when the lock is lost or blocks are missing: retry the backup
     */
    void commit(String cfgKey, BackupConfig done, BackupLock held, int workers) throws IOException {
        try {
            held.confirmHeld();
            checkBlocksStored(done, workers);
            held.checkHeld(); // the listing may have stalled too
        } catch (IOException e) {
            throw abandon(cfgKey, held, e);
        } catch (RuntimeException e) {
            throw abandon(cfgKey, held, e);
        }
        target.write(cfgKey, ConfigCodec.encode(done));
        try {
            held.checkHeld();
        } catch (StrataException.Unavailable lost) {
            try {
                target.delete(cfgKey);
            } catch (IOException | RuntimeException cleanup) {
                lost.addSuppressed(cleanup);
            }
            throw lost;
        }
    }

    /**
     * Removes a failed backup's in-progress cfg, unless another process's retry of the same backup
     * wrote its own meanwhile (which it may once this one's lock expired).
     *
     * @return {@code failure}, to be thrown
     */
    <E extends Exception> E abandon(String cfgKey, BackupLock held, E failure) {
        try {
            Optional<BackupConfig> now = target.read(cfgKey).map(d -> ConfigCodec.decodeBackup(d, cfgKey));
            if (now.isPresent() && now.get().inProgress() && held.name().equals(now.get().parameters().get(BackupStore.LOCK_PARAMETER))) {
                target.delete(cfgKey); // an in-progress cfg left behind would hold off garbage collection
            }
        } catch (IOException | RuntimeException cleanup) {
            failure.addSuppressed(cleanup); // the next deletion clears it as abandoned; report what failed first
        }
        held.failIfLost(failure);
        return failure;
    }

    /**
     * Fails unless every block the backup references is in the pool: the last defence against a
     * cfg that does not restore, whatever removed the blocks (a deletion that took an expired lock,
     * clocks skewed beyond the margin, a hand in the store). It fails rather than uploading them
     * again; docs/backup-format.md, "Committing a backup", says why.
     */
    private void checkBlocksStored(BackupConfig done, int workers) throws IOException {
        List<BlockRef> refs = done.blocks();
        TreeSet<String> missing = catalog.missingBlocks(done.volumeName(), refs.stream().map(BlockRef::checksum).toList(), workers);
        if (!missing.isEmpty()) {
            long offset = refs.stream().filter(b -> b.checksum().equals(missing.first())).findFirst().orElseThrow().offset();
            throw new StrataException.Unavailable(missing.size() + " of the blocks that backup '" + done.name() + "' of volume '"
                    + done.volumeName() + "' references are missing from the backup target (block " + missing.first()
                    + " at offset " + offset + ", for one): another process removed them while the backup ran. It was not"
                    + " committed: retry it; if they belong to the backup it builds on, make a full backup, which uploads"
                    + " every block again");
        }
    }
}
