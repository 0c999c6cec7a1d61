/**
 * State shared by the nodes of a cluster, behind one port, {@link io.strata.control.cluster.ClusterState}:
 * reservations of volume names being created, the cluster settings (with a version for optimistic
 * updates) and the controller lease with its fencing token. Everything else a cluster knows is derived
 * from what the nodes report (docs/cluster.md, "Shared state"). {@link io.strata.control.cluster.DirectoryClusterState}
 * keeps it in a directory shared by several processes on one machine; a Kubernetes implementation
 * is to pass the same contract.
 *
 * <p>May import: the JDK and {@code io.strata.domain}.
 */
package io.strata.control.cluster;
