/**
 * The {@code strata} command line: one picocli command class per noun ({@code volume},
 * {@code snapshot}, {@code backup}, {@code server}), the file import/export that keeps holes as
 * holes, table and JSON output, and {@link io.strata.server.cli.ErrorReporter}, the one place that
 * turns failures into an exit code and a single {@code strata: <message>} line.
 *
 * <p>When a server owns the data directory, commands go through its REST API
 * ({@link io.strata.server.cli.ServerClient}) and never open its files; otherwise each command
 * opens the data directory and closes it. Nothing here holds state between commands.
 *
 * <p>May import: {@code io.strata.domain}, {@code io.strata.engine}, {@code io.strata.control},
 * the server's API model, picocli, Jackson and the JDK.
 */
package io.strata.server.cli;
