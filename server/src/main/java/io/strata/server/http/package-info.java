/**
 * A small HTTP layer over the JDK's {@code com.sun.net.httpserver}: routes by method and path
 * template, JSON bodies read strictly (size cap, content type, unknown fields refused), and
 * {@link io.strata.server.http.Problems}, the one place where a failure becomes an RFC 9457
 * {@code application/problem+json} answer. It knows HTTP, not volumes: the resources are in
 * {@code io.strata.server.api}.
 *
 * <p>May import: the JDK, Jackson, SLF4J and {@code io.strata.domain}.
 */
package io.strata.server.http;
