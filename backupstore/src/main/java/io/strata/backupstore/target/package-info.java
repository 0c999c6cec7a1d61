/**
 * Where backups are stored: the {@link io.strata.backupstore.target.BackupTarget} port, its contract,
 * and its implementations (a directory, e.g. an NFS mount; S3 in its own package).
 *
 * <p>May import: the JDK and {@code io.strata.domain}.
 */
package io.strata.backupstore.target;
