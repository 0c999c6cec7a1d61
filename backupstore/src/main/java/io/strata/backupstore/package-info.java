/**
 * The backupstore: backups of volume snapshots in Longhorn's on-disk format, to a directory (an NFS
 * mount) or S3. It reads snapshots from and restores into ports, never the engine itself.
 *
 * <p>May import: the JDK, {@code io.strata.domain}, compression libraries, Jackson; the S3 SDK only
 * in its {@code s3} package.
 */
package io.strata.backupstore;
