/**
 * Longhorn's backupstore locks, so that backups, restores and deletions of one backup volume
 * exclude each other across processes and machines sharing a target; when a holder may have lost
 * its lock (it went too long without a rewrite, by its own monotonic clock); and the node-local
 * journal that lets a restarted process remove the lock files a crashed one left.
 *
 * <p>May import: the JDK, {@code io.strata.domain}, Jackson, the backupstore's format and target packages.
 */
package io.strata.backupstore.lock;
