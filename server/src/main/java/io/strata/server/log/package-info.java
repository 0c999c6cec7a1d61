/**
 * What the server's log (logback, {@code logback.xml}) writes besides the pattern's own fields:
 * messages and stack traces with the credentials of any URL in them hidden
 * ({@link io.strata.domain.Redaction}), whoever logged them — Strata or a library.
 *
 * <p>May import: {@code domain} and logback.
 */
package io.strata.server.log;
