package io.strata.server.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.strata.domain.Hint;
import io.strata.domain.Redaction;
import java.util.Map;

/**
 * An RFC 9457 problem detail, as the body of every error answer ({@code application/problem+json}).
 *
 * @param type     {@code urn:strata:problem:<kind>}, one per {@link ProblemType}
 * @param detail   what failed and what to do about it
 * @param instance the path of the request that failed
 * @param hint     an extension member: what to look up next, as data ({@link RestHints}); absent when there is nothing
 */
@JsonPropertyOrder({"type", "title", "status", "detail", "instance", "hint"})
@JsonInclude(JsonInclude.Include.NON_NULL) // no hint: no member
public record Problem(String type, String title, int status, String detail, String instance, Map<String, String> hint) {

    public static Problem of(ProblemType type, String detail, String instance) {
        return new Problem(type.uri(), type.title, type.status, detail, instance, null);
    }

    /** A problem whose detail ends with the REST words for {@code hint}, which it also carries as data. */
    static Problem of(ProblemType type, String detail, Hint hint, String instance) {
        return new Problem(type.uri(), type.title, type.status, detail + ": " + Redaction.text(RestHints.say(hint)), instance,
                RestHints.toMember(hint));
    }
}
