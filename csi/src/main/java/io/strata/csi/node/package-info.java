/**
 * The node's side of CSI: a volume's NBD export attached as a block device (nbdfuse or the kernel
 * client, under a loop device limited to the volume's size), its filesystem made on first use and
 * mounted at the staging path, bind-mounted for workloads, grown, checked, and undone, also after a
 * crash. {@link io.strata.csi.node.NodeHost} is the entry point; every OS program runs through the
 * {@link io.strata.csi.node.Os} port; each step is recorded in control's
 * {@link io.strata.control.state.StateStore} before it is taken. See {@code docs/csi-node.md}.
 *
 * <p>May import: the JDK (FFM for two system calls), SLF4J, {@code io.strata.domain} (errors) and
 * {@code io.strata.control.state}. Never gRPC or protobuf: {@code io.strata.csi.NodeService}
 * translates CSI messages into the plain requests here.
 */
package io.strata.csi.node;
