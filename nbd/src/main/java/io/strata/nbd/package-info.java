/**
 * The NBD server: serves engine volumes (read-write) and snapshots (read-only, as
 * {@code VOLUME@SNAPSHOT}) to the kernel's nbd client, qemu, libnbd tools or any NBD client, over a
 * unix socket and optionally TCP.
 *
 * <p>Entry points: {@link io.strata.nbd.NbdServer#start} with an {@link io.strata.nbd.NbdConfig}
 * and an {@link io.strata.nbd.Exports} port, which {@link io.strata.nbd.EngineExports} implements
 * over a {@link io.strata.engine.VolumeStore}. The bytes on the wire are the business of
 * {@link io.strata.nbd.protocol}; this package holds sockets, threads and the mapping of requests
 * to {@link io.strata.engine.BlockDevice} calls.
 *
 * <p>May import: the JDK, {@code io.strata.domain}, {@code io.strata.engine} and
 * {@code io.strata.nbd.protocol}.
 */
package io.strata.nbd;
