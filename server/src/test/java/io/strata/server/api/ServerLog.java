package io.strata.server.api;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.util.ContextInitializer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * What the server logs through its real {@code logback.xml}, captured from stderr for each test
 * (register with {@code @RegisterExtension}); the test classpath's own logging comes back after.
 */
final class ServerLog implements BeforeEachCallback, AfterEachCallback {
    private final Level strataLevel;
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private PrintStream stderr;

    private ServerLog(Level strataLevel) {
        this.strataLevel = strataLevel;
    }

    /** At the levels {@code logback.xml} sets. */
    static ServerLog asShipped() {
        return new ServerLog(null);
    }

    /** With Strata's own loggers at {@code level}, to see lines a deployment would turn on. */
    static ServerLog withStrataAt(Level level) {
        return new ServerLog(level);
    }

    @Override
    public void beforeEach(ExtensionContext test) throws Exception {
        log.reset();
        stderr = System.err;
        System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.reset();
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(ServerLog.class.getResource("/logback.xml"));
        if (strataLevel != null) {
            context.getLogger("io.strata").setLevel(strataLevel);
        }
    }

    @Override
    public void afterEach(ExtensionContext test) throws Exception {
        System.setErr(stderr);
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.reset();
        new ContextInitializer(context).autoConfig();
    }

    /** Everything logged so far in this test. */
    String text() {
        return log.toString(StandardCharsets.UTF_8);
    }
}
