package io.strata.server.http;

/** What an API token allows: everything, or reading. */
public enum Role {
    /** Every operation. */
    ADMIN("admin"),
    /** {@code GET} only: dashboards, monitoring, a colleague who looks but does not touch. */
    READ_ONLY("read-only");

    /** The role's name, as in its token file's name ({@code admin.token}, {@code read-only.token}) and in messages. */
    public final String label;

    Role(String label) {
        this.label = label;
    }

    /** The name of the file that holds this role's token. */
    public String fileName() {
        return label + ".token";
    }

    /** Whether a request with this method is allowed. */
    boolean allows(String method) {
        return this == ADMIN || method.equals("GET") || method.equals("HEAD");
    }
}
