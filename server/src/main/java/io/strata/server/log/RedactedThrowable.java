package io.strata.server.log;

import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.strata.domain.Redaction;

/**
 * {@code %redactedEx}: the event's stack trace, each exception's message with the credentials of
 * every URL in it hidden. Being a throwable converter, it also keeps logback from appending a
 * stack trace of its own to the pattern.
 */
public final class RedactedThrowable extends ThrowableProxyConverter {
    @Override
    public String convert(ILoggingEvent event) {
        return Redaction.text(super.convert(event));
    }
}
