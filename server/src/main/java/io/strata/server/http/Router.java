package io.strata.server.http;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Finds the route of a request: the template whose segments match the path (literal segments
 * first, so {@code /volumes/{volume}/expand} is never read as a parameter), then the method. A path
 * no template matches is 404; a path matched with another method is 405 with {@code Allow}.
 */
final class Router {
    /** A route and the values of its parameters in one request. */
    record Match(Route route, Map<String, String> params) {}

    private final List<Route> routes;

    Router(List<Route> routes) {
        Map<String, Route> seen = new HashMap<>();
        for (Route route : routes) {
            String key = route.method() + " " + route.template().replaceAll("\\{[^/]+}", "{}");
            Route clash = seen.putIfAbsent(key, route);
            if (clash != null) {
                throw new IllegalArgumentException("routes " + clash.template() + " and " + route.template() + " clash for " + route.method());
            }
        }
        List<Route> sorted = new ArrayList<>(routes);
        // more literal segments first, earlier literals first: the most specific template wins
        sorted.sort(Comparator.comparing(Router::specificity).reversed());
        this.routes = List.copyOf(sorted);
    }

    private static String specificity(Route route) {
        StringBuilder key = new StringBuilder();
        for (String segment : route.segments()) {
            key.append(Route.isParameter(segment) ? '0' : '1');
        }
        return key.toString();
    }

    List<Route> routes() {
        return routes;
    }

    /** @param segments the request path's segments, percent-decoded */
    Match match(String method, List<String> segments, String path) {
        TreeSet<String> allowed = new TreeSet<>();
        for (Route route : routes) {
            Map<String, String> params = bind(route.segments(), segments);
            if (params == null) {
                continue;
            }
            if (route.method().equals(method)) {
                return new Match(route, params);
            }
            allowed.add(route.method());
        }
        if (allowed.isEmpty()) {
            throw new HttpProblem(ProblemType.NO_SUCH_PATH, "there is no resource at " + path
                    + ": the API is under /api/v1 (GET /openapi.json lists every path), the web UI at /");
        }
        String allow = String.join(", ", allowed);
        throw new HttpProblem(ProblemType.METHOD_NOT_ALLOWED, method + " is not allowed on " + path + ": use " + allow,
                Map.of("Allow", allow));
    }

    private static Map<String, String> bind(List<String> template, List<String> segments) {
        if (template.size() != segments.size()) {
            return null;
        }
        Map<String, String> params = new HashMap<>();
        for (int i = 0; i < template.size(); i++) {
            String t = template.get(i);
            String s = segments.get(i);
            if (Route.isParameter(t)) {
                if (s.isEmpty()) {
                    return null;
                }
                params.put(t.substring(1, t.length() - 1), s);
            } else if (!t.equals(s)) {
                return null;
            }
        }
        return params;
    }
}
