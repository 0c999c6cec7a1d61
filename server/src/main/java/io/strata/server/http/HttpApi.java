package io.strata.server.http;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP server: the JDK's {@code HttpServer}, one virtual thread per request, the routes given
 * at start and nothing else. Every answer is JSON, a raw body a route chose (the metrics text, the
 * web UI's files), or a problem from
 * {@link Problems}; no request ends in a stack trace or without an answer.
 *
 * <p>Before a route runs, {@link Access} checks the request's {@code Host} (on every listener: a web
 * page from elsewhere that rebinds its DNS name to this server is refused) and its bearer token.
 */
public final class HttpApi implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);
    /** The largest request body: far above any JSON request of the API, far below harm. */
    public static final int MAX_BODY = 64 * 1024;
    static final String JSON = "application/json";
    static final String PROBLEM_JSON = "application/problem+json";

    private final HttpServer server;
    private final ExecutorService threads;
    private final Router router;
    private final JsonMapper json;
    private final Access access;

    private HttpApi(HttpServer server, ExecutorService threads, Router router, JsonMapper json, Access access) {
        this.server = server;
        this.threads = threads;
        this.router = router;
        this.json = json;
        this.access = access;
    }

    /**
     * Binds {@code address} (port 0 picks a free port) and serves {@code routes} to requests that
     * name this server (its loopback names, its addresses, {@code hosts}) and carry one of
     * {@code tokens} where the route needs one.
     */
    public static HttpApi start(InetSocketAddress address, List<Route> routes, JsonMapper json, List<String> hosts, ApiTokens tokens)
            throws IOException {
        Router router = new Router(routes);
        HttpServer server = HttpServer.create(address, 64);
        ExecutorService threads = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("http-", 0).factory());
        HttpApi api = new HttpApi(server, threads, router, json, new Access(server.getAddress(), hosts, tokens));
        server.createContext("/", api::handle);
        server.setExecutor(threads);
        server.start();
        return api;
    }

    /** The address served, with the port picked. */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** {@code http://host:port}, as clients reach it. */
    public URI url() {
        InetSocketAddress a = address();
        InetAddress host = a.getAddress();
        String name = host.isAnyLocalAddress() ? InetAddress.getLoopbackAddress().getHostAddress() : host.getHostAddress();
        return URI.create("http://" + (name.contains(":") ? "[" + name + "]" : name) + ":" + a.getPort());
    }

    /** Every route served, most specific first. */
    public List<Route> routes() {
        return router.routes();
    }

    private void handle(HttpExchange exchange) {
        String rawPath = exchange.getRequestURI().getRawPath();
        String path = rawPath == null || rawPath.isEmpty() ? "/" : rawPath;
        String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
        Response response;
        try {
            access.checkHost(exchange.getRequestHeaders().getFirst("Host"), url().toString());
            Router.Match match = router.match(method, segments(path), path);
            access.authorize(match.route(), method, exchange.getRequestHeaders().getFirst("Authorization"));
            // the content type and the size cap are checked for every POST and PUT, even one whose fields are all optional
            byte[] body = method.equals("POST") || method.equals("PUT") ? Request.readBody(exchange, MAX_BODY) : new byte[0];
            response = match.route().handler().handle(new Request(exchange, path, match.params(), json, body));
        } catch (Exception | StackOverflowError e) {
            Problems.Answer answer = Problems.answer(e, path);
            response = new Response(answer.problem().status(), answer.headers(), answer.problem());
        }
        send(exchange, method, path, response);
    }

    /** The path's segments, percent-decoded one by one (so {@code %2F} is a character of a segment, not a separator). */
    private static List<String> segments(String path) {
        if (path.equals("/")) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (String raw : path.substring(1).split("/", -1)) {
            try {
                out.add(URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                throw new HttpProblem(ProblemType.INVALID_ARGUMENT, "the path has a malformed %-escape");
            }
        }
        return out;
    }

    private void send(HttpExchange exchange, String method, String path, Response response) {
        try (exchange) {
            byte[] bytes;
            String contentType;
            switch (response.body()) {
                case null -> {
                    bytes = null;
                    contentType = null;
                }
                case Response.Raw raw -> {
                    bytes = raw.bytes();
                    contentType = raw.contentType();
                }
                case Problem problem -> {
                    bytes = json.writeValueAsBytes(problem);
                    contentType = PROBLEM_JSON;
                }
                default -> {
                    bytes = json.writeValueAsBytes(response.body());
                    contentType = JSON;
                }
            }
            // API answers are never cached; a route that may be (the web UI's files) says how itself
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            response.headers().forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
            exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
            if (contentType != null) {
                exchange.getResponseHeaders().set("Content-Type", contentType);
            }
            boolean noBody = bytes == null || response.status() == 204 || response.status() == 304 || method.equals("HEAD");
            exchange.sendResponseHeaders(response.status(), noBody ? -1 : bytes.length);
            if (!noBody) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
            LOG.debug("{} {} -> {}", method, path, response.status());
        } catch (IOException e) {
            LOG.debug("{} {}: the client went away before the answer was sent: {}", method, path, e.toString());
        }
    }

    /** Stops accepting requests, gives those in progress a moment to finish, and stops. */
    @Override
    public void close() {
        server.stop(1);
        threads.shutdownNow();
    }
}
