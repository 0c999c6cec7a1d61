package io.strata.server.log;

import ch.qos.logback.classic.pattern.MessageConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.strata.domain.Redaction;

/**
 * {@code %redactedMsg}: the event's message with the credentials of every URL in it hidden. A
 * library logs the URLs it was given as they are; the log must not keep a password from them.
 */
public final class RedactedMessage extends MessageConverter {
    @Override
    public String convert(ILoggingEvent event) {
        return Redaction.text(super.convert(event));
    }
}
