/**
 * The NBD protocol as data: the records a client and a server exchange (options and their replies
 * during the handshake, requests and replies during transmission) and a pure codec between those
 * records and bytes. Nothing here touches a socket, a thread or a device, so every frame can be
 * tested as literal bytes, split at any point or malformed in any way.
 *
 * <p>The wire format is the fixed-newstyle protocol of the NetworkBlockDevice project's
 * {@code doc/proto.md}, with the INFO, structured-reply and block-status extensions; extended
 * headers (64-bit lengths) and TLS are not offered. Everything is big-endian.
 *
 * <p>May import: the JDK only.
 */
package io.strata.nbd.protocol;
