/**
 * The S3 backup target: {@link io.strata.backupstore.s3.S3Target}, a
 * {@link io.strata.backupstore.target.BackupTarget} in a bucket of AWS or of any S3-compatible server,
 * configured as Longhorn configures its S3 targets (a URL and environment variables).
 *
 * <p>May import: the JDK, {@code io.strata.domain}, {@code io.strata.backupstore.target}, and the AWS
 * SDK. It is the only package that imports the AWS SDK; nothing outside it sees an SDK type.
 */
package io.strata.backupstore.s3;
