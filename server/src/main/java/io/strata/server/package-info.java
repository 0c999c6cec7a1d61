/**
 * The process: {@link io.strata.server.Main} hands control to the command line; {@code strata
 * server} builds the object graph by hand in {@link io.strata.server.StrataServer} from one
 * {@link io.strata.server.ServerConfig} (flags, environment, defaults) and serves CSI, the REST API
 * ({@link io.strata.server.ApiServer}), metrics and the web UI, and tells the CLI where with
 * {@link io.strata.server.ServerFile}.
 *
 * <p>May import: every Strata module and the server's libraries (picocli, Jackson, the JDK's HTTP
 * server, the Prometheus client).
 */
package io.strata.server;
