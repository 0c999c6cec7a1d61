/**
 * Long work as jobs: backups, restores and clones that run in the background, report progress, persist
 * their state, and resume after a restart. CSI and REST start them and poll them; nothing here
 * knows either.
 *
 * <p>May import: the JDK, {@code io.strata.domain}, the engine, the backupstore and
 * {@code io.strata.control}.
 */
package io.strata.control.job;
