/**
 * The CSI messages and gRPC stubs, generated at build time from {@code src/main/proto/csi.proto}
 * (proto package {@code csi.v1}). Nothing here is written by hand except this file: change the
 * proto, not the generated code. The spec's {@code mutable_parameters} fields are called
 * {@code mutable_params} here (same field numbers); the proto file's header says why.
 *
 * <p>Imports: protobuf and gRPC only.
 */
package io.strata.csi.v1;
