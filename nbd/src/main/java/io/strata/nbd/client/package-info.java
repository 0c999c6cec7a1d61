/**
 * A small NBD client over the protocol's own codec: what the CLI uses to read and write a volume
 * that a running server owns, through that server's NBD socket, instead of the files it holds.
 *
 * <p>May import: the JDK, {@code io.strata.domain}, {@code io.strata.engine} (the {@code BlockDevice}
 * port it implements) and {@code io.strata.nbd.protocol}; nothing of the server beside it.
 */
package io.strata.nbd.client;
