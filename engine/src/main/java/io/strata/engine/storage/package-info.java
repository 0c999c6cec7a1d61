/**
 * The {@link io.strata.engine.storage.Storage} port: the few file operations the engine needs, with
 * their durability contract written down, and {@link io.strata.engine.storage.LocalStorage}, the
 * implementation on the local file system. Tests substitute an in-memory implementation that can
 * drop unsynced writes to simulate a crash.
 *
 * <p>May import: the JDK only.
 */
package io.strata.engine.storage;
