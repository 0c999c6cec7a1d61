/**
 * The process: {@link io.strata.server.Main} builds the object graph by hand and hands control to
 * the command line. Later: config, REST API, metrics and the CSI endpoint are wired here too.
 *
 * <p>May import: every Strata module and the server's libraries (picocli, Jackson).
 */
package io.strata.server;
