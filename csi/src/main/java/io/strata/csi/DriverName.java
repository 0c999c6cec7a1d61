package io.strata.csi;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The plugin's name as GetPluginInfo reports it and Kubernetes knows it (the CSIDriver object, the
 * StorageClass {@code provisioner}, the kubelet's plugin directory). The spec's rule: domain name
 * notation, at most 63 characters, starting and ending with a letter or digit, with only '-', '.',
 * letters and digits between. Domain name notation also rules out empty labels ({@code a..b}) and
 * labels that start or end with '-'. A name that breaks the rule is refused when the plugin is
 * configured, not when a sidecar first asks for it.
 *
 * @param value the name, e.g. {@code driver.strata.io}
 */
public record DriverName(String value) {

    static final int MAX_LENGTH = 63;

    // before DEFAULT: the constructor of DEFAULT needs it
    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?");

    /** Strata's own name. */
    public static final DriverName DEFAULT = new DriverName("driver.strata.io");

    /** @throws IllegalArgumentException naming the broken rule */
    public DriverName {
        Objects.requireNonNull(value, "value");
        if (value.isEmpty() || value.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("CSI driver name '" + value + "' is " + value.length()
                    + " characters long: it must have 1 to " + MAX_LENGTH);
        }
        for (String label : value.split("\\.", -1)) {
            if (!LABEL.matcher(label).matches()) {
                throw new IllegalArgumentException("CSI driver name '" + value
                        + "' is not a domain-style name: use letters, digits, '-' and '.', with each"
                        + " dot-separated part starting and ending with a letter or digit, e.g. driver.strata.io");
            }
        }
    }

    @Override
    public String toString() {
        return value;
    }
}
