package io.strata.server.ui;

import io.strata.server.http.HttpProblem;
import io.strata.server.http.ProblemType;
import io.strata.server.http.Request;
import io.strata.server.http.Response;
import io.strata.server.http.Route;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Serves the web UI's files: {@code index.html} at {@code /}, every file at {@code /ui/NAME}.
 *
 * <p>Only the files in {@link #FILES} are served, looked up by exact name, so no path (with
 * {@code ..}, encoded slashes or anything else) reaches another resource. Each answer carries a
 * strong {@code ETag} of its bytes and {@code Cache-Control: no-cache}: a browser keeps the files
 * but asks each time whether they changed, and gets a bodiless 304 while they have not, so a new
 * server version is never hidden behind a stale cache. The pages may load scripts, styles and
 * data from this server only ({@code Content-Security-Policy}).
 */
public final class WebUi {
    /** Where the files are served, but for {@code index.html}, which is served at {@code /} as well. */
    public static final String PREFIX = "/ui/";
    /** The files, as resources in {@code web/} beside this class. A test checks the directory holds exactly these. */
    public static final List<String> FILES = List.of("index.html", "style.css", "icon.svg", "app.js", "api.js", "dom.js",
            "format.js", "dialogs.js", "login.js", "volume-page.js", "backup-page.js");
    static final String INDEX = "index.html";
    /** Scripts, styles, images and requests from this server only; no frames, no plugins, no base or form tricks. */
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
            + " connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    /** One file as served. */
    record Asset(String name, String contentType, byte[] bytes, String etag) {}

    private final Map<String, Asset> assets;

    private WebUi(Map<String, Asset> assets) {
        this.assets = assets;
    }

    /** Reads every file of the UI from the class path; a file missing from the build is an error at start, not a 404 later. */
    public static WebUi load() {
        Map<String, Asset> assets = new LinkedHashMap<>();
        for (String name : FILES) {
            try (InputStream in = WebUi.class.getResourceAsStream("web/" + name)) {
                if (in == null) {
                    throw new IllegalStateException("web UI file " + name + " is missing beside " + WebUi.class.getName());
                }
                byte[] bytes = in.readAllBytes();
                assets.put(name, new Asset(name, contentType(name), bytes, etag(bytes)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return new WebUi(Map.copyOf(assets));
    }

    public List<Route> routes() {
        return List.of(
                Route.get("/", request -> serve(request, assets.get(INDEX))),
                Route.get(PREFIX + "{file}", request -> serve(request, file(request.param("file")))));
    }

    private Asset file(String name) {
        return Optional.ofNullable(assets.get(name)).orElseThrow(() -> new HttpProblem(ProblemType.NO_SUCH_PATH,
                "the web UI has no file '" + name + "': the UI is at /"));
    }

    private static Response serve(Request request, Asset asset) {
        Map<String, String> headers = Map.of(
                "ETag", asset.etag(),
                "Cache-Control", "no-cache",
                "Content-Security-Policy", CONTENT_SECURITY_POLICY,
                "X-Frame-Options", "DENY",
                "Referrer-Policy", "no-referrer");
        if (request.header("If-None-Match").filter(tags -> matches(tags, asset.etag())).isPresent()) {
            return new Response(304, headers, null);
        }
        return new Response(200, headers, new Response.Raw(asset.contentType(), asset.bytes()));
    }

    /** {@code If-None-Match}: {@code *}, or a list of tags, one of which is ours (compared weakly, as RFC 9110 asks). */
    static boolean matches(String header, String etag) {
        return Arrays.stream(header.split(",")).map(String::strip)
                .map(tag -> tag.startsWith("W/") ? tag.substring(2) : tag)
                .anyMatch(tag -> tag.equals("*") || tag.equals(etag));
    }

    static String contentType(String name) {
        String extension = name.substring(name.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
        return switch (extension) {
            case "html" -> "text/html; charset=utf-8";
            case "css" -> "text/css; charset=utf-8";
            // module scripts load only with a JavaScript MIME type
            case "js" -> "text/javascript; charset=utf-8";
            case "svg" -> "image/svg+xml";
            case "png" -> "image/png";
            default -> throw new IllegalArgumentException("no content type for web UI file " + name + ": add one");
        };
    }

    private static String etag(byte[] bytes) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
            return "\"" + HexFormat.of().formatHex(digest, 0, 16) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
