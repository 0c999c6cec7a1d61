/**
 * Use cases over the engine and the backupstore, and the adapters that join them: an engine snapshot
 * is a {@link io.strata.backupstore.BackupSource}, a new engine volume a
 * {@link io.strata.backupstore.RestoreSink}. Nothing here knows gRPC, HTTP or Kubernetes.
 *
 * <p>May import: the JDK, {@code io.strata.domain}, the engine and the backupstore.
 */
package io.strata.control;
