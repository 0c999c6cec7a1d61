package io.strata.server.http;

import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One operation: a method and a path template such as {@code /api/v1/volumes/{volume}}, whose
 * {@code {name}} segments match one path segment each (percent-decoded) and reach the handler as
 * {@link Request#param}. The templates are written as the OpenAPI document writes its paths, so the
 * two can be compared.
 *
 * @param tokenFree whether the route answers without an API token: only what a probe, a scraper or
 *                  a browser before its login needs (health, metrics, the OpenAPI document, the web
 *                  UI's files); every other route needs one (see {@link ApiTokens})
 */
public record Route(String method, String template, Handler handler, boolean tokenFree) {
    static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "DELETE");

    /** Does the work of one request. */
    @FunctionalInterface
    public interface Handler {
        Response handle(Request request) throws IOException;
    }

    public Route {
        Objects.requireNonNull(handler, "handler");
        if (!METHODS.contains(method)) {
            throw new IllegalArgumentException("unsupported method " + method);
        }
        if (!template.startsWith("/") || template.endsWith("/") && template.length() > 1 || template.contains("//")) {
            throw new IllegalArgumentException("bad path template " + template);
        }
    }

    /** A route that needs a token, as every route of the API does. */
    public Route(String method, String template, Handler handler) {
        this(method, template, handler, false);
    }

    /** This route, answering without a token. */
    public Route withoutToken() {
        return new Route(method, template, handler, true);
    }

    public static Route get(String template, Handler handler) {
        return new Route("GET", template, handler);
    }

    public static Route post(String template, Handler handler) {
        return new Route("POST", template, handler);
    }

    public static Route put(String template, Handler handler) {
        return new Route("PUT", template, handler);
    }

    public static Route delete(String template, Handler handler) {
        return new Route("DELETE", template, handler);
    }

    /** The template's segments, without the leading empty one. */
    List<String> segments() {
        return template.equals("/") ? List.of() : List.of(template.substring(1).split("/", -1));
    }

    static boolean isParameter(String segment) {
        return segment.length() > 2 && segment.startsWith("{") && segment.endsWith("}");
    }
}
