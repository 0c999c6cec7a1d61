/**
 * The {@code strata} command line: one picocli command class per noun ({@code volume},
 * {@code snapshot}, {@code backup}, {@code job}, {@code server}), the file import/export that keeps holes as
 * holes, table and JSON output, and {@link io.strata.server.cli.ErrorReporter}, the one place that
 * turns failures into an exit code and a single {@code strata: <message>} line.
 *
 * <p>When a server owns the data directory, commands go through its REST API
 * ({@link io.strata.server.cli.ServerClient}) and never open its files (imports and exports go
 * through its NBD socket); otherwise each command opens the data directory and closes it. A job the
 * CLI follows in a server is cancelled by Ctrl-C ({@link io.strata.server.cli.CancelOnSignal}), and
 * so is a backup or restore the CLI runs itself ({@link io.strata.server.cli.StopOnExit}).
 * Nothing here holds state between commands.
 *
 * <p>May import: {@code io.strata.domain}, {@code io.strata.engine}, {@code io.strata.control},
 * the server's API model, the NBD client ({@code io.strata.nbd.client}), picocli, Jackson, the JDK
 * and {@code sun.misc.Signal} (Ctrl-C).
 */
package io.strata.server.cli;
