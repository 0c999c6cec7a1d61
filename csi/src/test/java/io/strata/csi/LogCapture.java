package io.strata.csi;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import ch.qos.logback.core.read.ListAppender;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Captures every log event of a test in memory, gRPC's java.util.logging output included, so that
 * a test can check what was logged and, above all, what was not: no CSI request content may reach
 * the log. Register it with {@code @RegisterExtension final LogCapture logs = new LogCapture();}.
 *
 * <p>Strata's loggers are captured at every level, TRACE included; third-party loggers at INFO, the
 * level they run at in production. (At DEBUG gRPC's transport dumps whole HTTP/2 frames, which no
 * production setup may do; {@link CsiServer} warns when it sees that.)
 */
public final class LogCapture implements BeforeEachCallback, AfterEachCallback {

    static {
        // gRPC logs through java.util.logging: route it to SLF4J so that it is captured too
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.INFO);
    }

    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private Level rootLevel;
    private Level strataLevel;

    @Override
    public void beforeEach(ExtensionContext context) {
        LoggerContext loggers = (LoggerContext) LoggerFactory.getILoggerFactory();
        Logger root = loggers.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        Logger strata = loggers.getLogger("io.strata");
        rootLevel = root.getLevel();
        strataLevel = strata.getLevel();
        root.setLevel(Level.INFO);
        strata.setLevel(Level.TRACE);
        appender.setContext(loggers);
        appender.start();
        root.addAppender(appender);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        LoggerContext loggers = (LoggerContext) LoggerFactory.getILoggerFactory();
        Logger root = loggers.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.detachAppender(appender);
        appender.stop();
        root.setLevel(rootLevel);
        loggers.getLogger("io.strata").setLevel(strataLevel);
    }

    /** The events so far, oldest first. */
    public List<ILoggingEvent> events() {
        // logback appends under the appender's lock
        synchronized (appender) {
            return new ArrayList<>(appender.list);
        }
    }

    /** The events of one logger (or its children), oldest first. */
    public List<ILoggingEvent> events(String loggerName) {
        return events().stream()
                .filter(e -> e.getLoggerName().equals(loggerName) || e.getLoggerName().startsWith(loggerName + "."))
                .toList();
    }

    /**
     * Everything the events would put in a log file, whatever the layout: logger, level, thread,
     * message, arguments, key-value pairs, MDC and the full text of any exception with its causes.
     */
    public String text() {
        StringBuilder out = new StringBuilder();
        for (ILoggingEvent e : events()) {
            out.append(e.getLoggerName()).append(' ').append(e.getLevel()).append(' ').append(e.getThreadName())
                    .append(' ').append(e.getFormattedMessage()).append(' ').append(e.getMessage());
            if (e.getArgumentArray() != null) {
                for (Object argument : e.getArgumentArray()) {
                    out.append(' ').append(argument);
                }
            }
            if (e.getKeyValuePairs() != null) {
                e.getKeyValuePairs().forEach(kv -> out.append(' ').append(kv.key).append('=').append(kv.value));
            }
            e.getMDCPropertyMap().forEach((k, v) -> out.append(' ').append(k).append('=').append(v));
            appendThrowable(out, e.getThrowableProxy());
            out.append('\n');
        }
        return out.toString();
    }

    private static void appendThrowable(StringBuilder out, IThrowableProxy proxy) {
        for (IThrowableProxy t = proxy; t != null; t = t.getCause()) {
            out.append(' ').append(t.getClassName()).append(": ").append(t.getMessage());
            for (StackTraceElementProxy frame : t.getStackTraceElementProxyArray()) {
                out.append("\n\tat ").append(frame.getSTEAsString());
            }
            for (IThrowableProxy suppressed : t.getSuppressed()) {
                appendThrowable(out, suppressed);
            }
        }
    }
}
