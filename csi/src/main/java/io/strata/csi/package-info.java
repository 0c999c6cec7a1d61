/**
 * The CSI endpoint: the gRPC server on the plugin's unix socket, the Identity service, and the
 * pieces every CSI service shares — {@link io.strata.csi.GrpcErrors}, the one place that turns a
 * domain error into a gRPC status; {@link io.strata.csi.Rpc}, the way a handler answers; and the
 * interceptors that map anything a handler lets escape and log every call without its contents.
 *
 * <p>The Controller and Node services belong here too, as thin translations from CSI messages to
 * {@code io.strata.control} use cases: validate, call control, translate the answer. Decisions about
 * volumes, snapshots and backups are made in control, never here. What the Node service does to this
 * machine (attach, mount, grow) is in {@code io.strata.csi.node}.
 *
 * <p>May import: the JDK, gRPC, protobuf, netty (for the unix socket transport only), SLF4J,
 * {@code io.strata.domain}, {@code io.strata.control}, {@code io.strata.csi.node} and the generated
 * {@code io.strata.csi.v1}.
 * Never the engine or the backupstore directly: control is the way down.
 */
package io.strata.csi;
