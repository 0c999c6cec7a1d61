package io.strata.server.http;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * An RFC 9457 problem detail, as the body of every error answer ({@code application/problem+json}).
 *
 * @param type     {@code urn:strata:problem:<kind>}, one per {@link ProblemType}
 * @param detail   what failed and what to do about it
 * @param instance the path of the request that failed
 */
@JsonPropertyOrder({"type", "title", "status", "detail", "instance"})
public record Problem(String type, String title, int status, String detail, String instance) {

    public static Problem of(ProblemType type, String detail, String instance) {
        return new Problem(type.uri(), type.title, type.status, detail, instance);
    }
}
