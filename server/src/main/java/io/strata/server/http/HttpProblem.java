package io.strata.server.http;

import java.util.Map;

/**
 * A failure of the HTTP exchange itself (no such path, wrong method, a body that is not the
 * JSON asked for), as opposed to a domain failure, which is a {@code StrataException}.
 */
public final class HttpProblem extends RuntimeException {
    private final ProblemType type;
    private final Map<String, String> headers;

    public HttpProblem(ProblemType type, String detail) {
        this(type, detail, Map.of());
    }

    public HttpProblem(ProblemType type, String detail, Map<String, String> headers) {
        super(detail, null, false, false); // an answer to a client, never a stack trace
        this.type = type;
        this.headers = Map.copyOf(headers);
    }

    public ProblemType type() {
        return type;
    }

    /** Headers the answer carries, e.g. {@code Allow} with 405. */
    public Map<String, String> headers() {
        return headers;
    }
}
