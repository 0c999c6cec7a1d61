package io.strata.server.http;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.sun.net.httpserver.HttpExchange;
import io.strata.domain.StrataException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * One request as a handler sees it: its path parameters, query parameters and JSON body. Reading
 * the body enforces the API's rules (JSON content type, a size cap, no unknown fields) and turns
 * every way a body can be wrong into a 4xx {@link HttpProblem} that says what to send instead.
 */
public final class Request {
    private final HttpExchange exchange;
    private final String path;
    private final Map<String, String> params;
    private final Map<String, String> query;
    private final JsonMapper json;
    private final byte[] body;

    /** @param body what {@link #readBody} read; empty for methods without a body */
    Request(HttpExchange exchange, String path, Map<String, String> params, JsonMapper json, byte[] body) {
        this.exchange = exchange;
        this.path = path;
        this.params = Map.copyOf(params);
        this.query = parseQuery(exchange.getRequestURI().getRawQuery());
        this.json = json;
        this.body = body;
    }

    public String path() {
        return path;
    }

    /** A path parameter of the route's template. */
    public String param(String name) {
        String value = params.get(name);
        if (value == null) {
            throw new IllegalStateException("the route has no parameter " + name);
        }
        return value;
    }

    /** A request header's first value. */
    public Optional<String> header(String name) {
        return Optional.ofNullable(exchange.getRequestHeaders().getFirst(name));
    }

    public Optional<String> query(String name) {
        return Optional.ofNullable(query.get(name));
    }

    /** A query parameter that is {@code true} or {@code false}; absent is {@code false}. */
    public boolean flag(String name) {
        String value = query.get(name);
        if (value == null) {
            return false;
        }
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true", "" -> true;
            case "false" -> false;
            default -> throw new StrataException.InvalidArgument("query parameter '" + name + "' is '" + value + "': use true or false");
        };
    }

    /**
     * The JSON body as {@code type}.
     *
     * @throws HttpProblem 415 unless the body is {@code application/json}, 413 over the cap, 400 when it is empty,
     *                     not JSON, has an unknown field or a value of the wrong type
     */
    public <T> T body(Class<T> type) {
        if (body.length == 0) {
            throw new HttpProblem(ProblemType.MALFORMED_BODY, "the body is empty: send a JSON object (see /openapi.json for its fields)");
        }
        return parse(body, type);
    }

    /** As {@link #body}, but an empty body (for operations whose fields are all optional) is {@code empty}. */
    public <T> T bodyOr(Class<T> type, T empty) {
        return body.length == 0 ? empty : parse(body, type);
    }

    /** Reads the raw body, enforcing the content type and the cap. Every POST and PUT passes here, even without a body. */
    static byte[] readBody(HttpExchange exchange, int maxBody) throws IOException {
        requireJson(exchange);
        String declared = exchange.getRequestHeaders().getFirst("Content-Length");
        if (declared != null) {
            try {
                if (Long.parseLong(declared.strip()) > maxBody) {
                    throw tooLarge(maxBody);
                }
            } catch (NumberFormatException e) {
                throw new HttpProblem(ProblemType.MALFORMED_BODY, "Content-Length '" + declared + "' is not a number");
            }
        }
        try (InputStream in = exchange.getRequestBody()) {
            byte[] bytes = in.readNBytes(maxBody + 1);
            if (bytes.length > maxBody) {
                throw tooLarge(maxBody);
            }
            return bytes;
        }
    }

    private static HttpProblem tooLarge(int maxBody) {
        return new HttpProblem(ProblemType.BODY_TOO_LARGE, "the body is larger than " + maxBody + " bytes, more than any request of"
                + " this API needs: send only the fields of the operation");
    }

    /**
     * JSON only: a cross-site form cannot send it without the browser asking first, which this
     * server never allows, so a web page cannot act on the API behind its user's back.
     */
    private static void requireJson(HttpExchange exchange) {
        String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
        String mediaType = contentType == null ? "" : contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        if (!mediaType.equals("application/json")) {
            throw new HttpProblem(ProblemType.UNSUPPORTED_MEDIA_TYPE, (contentType == null ? "the request has no Content-Type"
                    : "Content-Type '" + contentType + "' is not JSON") + ": send 'Content-Type: application/json'"
                    + " (with a JSON body, or none where every field is optional)");
        }
    }

    private <T> T parse(byte[] bytes, Class<T> type) {
        try {
            return json.readValue(bytes, type);
        } catch (UnrecognizedPropertyException e) {
            String known = e.getKnownPropertyIds() == null ? "" : e.getKnownPropertyIds().stream().map(String::valueOf).sorted()
                    .collect(Collectors.joining(", "));
            throw new HttpProblem(ProblemType.MALFORMED_BODY, "unknown field '" + e.getPropertyName() + "'"
                    + (known.isEmpty() ? "" : ": the fields are " + known));
        } catch (StreamConstraintsException e) {
            throw new HttpProblem(ProblemType.MALFORMED_BODY, "the body is nested too deeply: send a flat JSON object");
        } catch (JsonParseException e) {
            throw new HttpProblem(ProblemType.MALFORMED_BODY, "the body is not valid JSON (line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr() + "): " + e.getOriginalMessage().split("\n", 2)[0]);
        } catch (MismatchedInputException e) {
            String field = fieldOf(e);
            String expected = e.getTargetType() == null ? "another type" : describe(e.getTargetType());
            throw new HttpProblem(ProblemType.MALFORMED_BODY, (field.isEmpty() ? "the body" : "field '" + field + "'")
                    + " must be " + expected);
        } catch (JsonMappingException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof StrataException s) {
                    throw s; // a value type refused a value: its message says why
                }
            }
            throw new HttpProblem(ProblemType.MALFORMED_BODY, "the body does not fit the operation" + (fieldOf(e).isEmpty() ? ""
                    : " at field '" + fieldOf(e) + "'") + ": see /openapi.json");
        } catch (JacksonException e) {
            throw new HttpProblem(ProblemType.MALFORMED_BODY, "the body is not valid JSON");
        } catch (IOException e) {
            throw new HttpProblem(ProblemType.MALFORMED_BODY, "the body could not be read");
        }
    }

    private static String fieldOf(JsonMappingException e) {
        return e.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
    }

    private static String describe(Class<?> type) {
        if (type == long.class || type == Long.class || type == int.class || type == Integer.class) {
            return "an integer";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "a string";
        }
        if (Map.class.isAssignableFrom(type)) {
            return "an object of string values";
        }
        if (type.isRecord()) {
            return "a JSON object";
        }
        return "a " + type.getSimpleName();
    }

    private static Map<String, String> parseQuery(String raw) {
        Map<String, String> out = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = decodeQuery(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decodeQuery(pair.substring(eq + 1));
            out.putIfAbsent(key, value);
        }
        return out;
    }

    private static String decodeQuery(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new HttpProblem(ProblemType.INVALID_ARGUMENT, "the query string has a malformed %-escape");
        }
    }
}
