/**
 * Longhorn's backupstore locks, so that backups, restores and deletions of one backup volume
 * exclude each other across processes and machines sharing a target.
 *
 * <p>May import: the JDK, {@code io.strata.domain}, Jackson, the backupstore's format and target packages.
 */
package io.strata.backupstore.lock;
