/**
 * Durable state that is not in the engine's volumes: attachments and jobs, as small JSON records
 * written temp, fsync, rename.
 *
 * <p>May import: the JDK, {@code io.strata.domain}, Jackson.
 */
package io.strata.control.state;
