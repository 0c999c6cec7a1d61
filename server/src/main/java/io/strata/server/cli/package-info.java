/**
 * The {@code strata} command line: one picocli command class per noun ({@code volume},
 * {@code snapshot}), the file import/export that keeps holes as holes, table and JSON output, and
 * {@link io.strata.server.cli.ErrorReporter}, the one place that turns failures into an exit code and
 * a single {@code strata: <message>} line.
 *
 * <p>May import: {@code io.strata.domain}, {@code io.strata.engine}, picocli, Jackson and the JDK.
 * Nothing here holds state between commands: each command opens the data directory and closes it.
 */
package io.strata.server.cli;
