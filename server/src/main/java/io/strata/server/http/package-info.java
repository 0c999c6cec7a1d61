/**
 * A small HTTP layer over the JDK's {@code com.sun.net.httpserver}: routes by method and path
 * template, JSON bodies read strictly (size cap, content type, unknown fields refused), and
 * {@link io.strata.server.http.Problems}, the one place where a failure becomes an RFC 9457
 * {@code application/problem+json} answer, and {@link io.strata.server.http.Access}, which lets a
 * request reach a route only when its {@code Host} names this server and, but on the few token-free
 * routes, its bearer token ({@link io.strata.server.http.ApiTokens}) has a role that allows it. It
 * knows HTTP, not volumes: the resources are in {@code io.strata.server.api}.
 *
 * <p>May import: the JDK, Jackson, SLF4J and {@code io.strata.domain}.
 */
package io.strata.server.http;
