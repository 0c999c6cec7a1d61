package io.strata.server.http;

/**
 * Every kind of problem the API answers with: its status, its {@code type} URI and its title. The
 * type names the kind for programs; the detail of each answer says what to do.
 */
public enum ProblemType {
    INVALID_ARGUMENT(400, "invalid-argument", "Invalid request"),
    MALFORMED_BODY(400, "malformed-body", "Malformed request body"),
    UNAUTHENTICATED(401, "unauthenticated", "Authentication required"),
    FORBIDDEN_HOST(403, "forbidden-host", "Forbidden host"),
    PERMISSION_DENIED(403, "permission-denied", "Permission denied"),
    NOT_FOUND(404, "not-found", "Not found"),
    NO_SUCH_PATH(404, "no-such-path", "No such path"),
    METHOD_NOT_ALLOWED(405, "method-not-allowed", "Method not allowed"),
    ALREADY_EXISTS(409, "already-exists", "Already exists"),
    FAILED_PRECONDITION(409, "failed-precondition", "Conflict with the current state"),
    BODY_TOO_LARGE(413, "body-too-large", "Request body too large"),
    UNSUPPORTED_MEDIA_TYPE(415, "unsupported-media-type", "Unsupported media type"),
    OUT_OF_RANGE(422, "out-of-range", "Out of range"),
    CORRUPT(500, "corrupt", "Stored data is corrupt"),
    INTERNAL(500, "internal", "Internal error"),
    UNAVAILABLE(503, "unavailable", "Unavailable: retry later"),
    RESOURCE_EXHAUSTED(507, "resource-exhausted", "Insufficient storage");

    /** Where every type URI starts. */
    public static final String PREFIX = "urn:strata:problem:";

    public final int status;
    public final String slug;
    public final String title;

    ProblemType(int status, String slug, String title) {
        this.status = status;
        this.slug = slug;
        this.title = title;
    }

    public String uri() {
        return PREFIX + slug;
    }
}
