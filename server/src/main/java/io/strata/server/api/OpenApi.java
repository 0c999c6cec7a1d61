package io.strata.server.api;

import io.strata.server.http.Response;
import io.strata.server.http.Route;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** {@code GET /openapi.json}: the OpenAPI 3.1 document of this API, a resource beside these classes. */
public final class OpenApi {
    public static final String PATH = "/openapi.json";
    static final String RESOURCE = "openapi.json";

    private OpenApi() {}

    /** The document as shipped. */
    public static byte[] document() {
        try (InputStream in = OpenApi.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing beside " + OpenApi.class.getName());
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Route route() {
        byte[] document = document();
        return Route.get(PATH, request -> Response.bytes("application/json", document));
    }
}
