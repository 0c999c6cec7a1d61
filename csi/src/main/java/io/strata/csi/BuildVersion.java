package io.strata.csi;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The version of this build, reported to COs as the plugin's {@code vendor_version}. Maven stamps it
 * into {@code version.properties}; when the class runs from somewhere the resource was not filtered
 * (an IDE), the jar manifest is asked, and failing that the answer is {@code unknown}: the field is
 * required, so it is never empty.
 */
public final class BuildVersion {

    private static final String RESOURCE = "/io/strata/csi/version.properties";

    private BuildVersion() {}

    /** The version, e.g. {@code 0.1.0-SNAPSHOT}; never empty. */
    public static String vendorVersion() {
        String stamped = fromResource();
        if (stamped != null) {
            return stamped;
        }
        String manifest = BuildVersion.class.getPackage().getImplementationVersion();
        return manifest == null || manifest.isBlank() ? "unknown" : manifest;
    }

    private static String fromResource() {
        try (InputStream in = BuildVersion.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                return null;
            }
            Properties properties = new Properties();
            properties.load(in);
            String version = properties.getProperty("version", "").strip();
            // an unfiltered copy still says ${project.version}
            return version.isEmpty() || version.contains("${") ? null : version;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }
}
