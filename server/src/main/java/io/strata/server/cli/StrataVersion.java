package io.strata.server.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** The version Maven stamped into {@code version.properties}. */
public final class StrataVersion implements IVersionProvider {

    @Override
    public String[] getVersion() {
        return new String[] {"strata " + version() + " (Java " + Runtime.version() + ")"};
    }

    public static String version() {
        try (InputStream in = StrataVersion.class.getResourceAsStream("/io/strata/server/version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version", "unknown");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
