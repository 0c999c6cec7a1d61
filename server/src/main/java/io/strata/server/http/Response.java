package io.strata.server.http;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * What a handler answers: a status, headers and a body — an object written as JSON, raw bytes of
 * their own content type, or none.
 */
public record Response(int status, Map<String, String> headers, Object body) {

    /** A body that is not JSON, e.g. the metrics text. */
    public record Raw(String contentType, byte[] bytes) {}

    public Response {
        headers = Map.copyOf(headers);
    }

    public static Response ok(Object body) {
        return new Response(200, Map.of(), body);
    }

    /** 201 with the new resource's path. */
    public static Response created(String location, Object body) {
        return new Response(201, Map.of("Location", location), body);
    }

    /** 202: accepted as a job, whose path is the location to poll. */
    public static Response accepted(String location, Object body) {
        return new Response(202, Map.of("Location", location), body);
    }

    public static Response noContent() {
        return new Response(204, Map.of(), null);
    }

    public static Response text(String contentType, String text) {
        return new Response(200, Map.of(), new Raw(contentType, text.getBytes(StandardCharsets.UTF_8)));
    }

    public static Response bytes(String contentType, byte[] bytes) {
        return new Response(200, Map.of(), new Raw(contentType, bytes));
    }
}
