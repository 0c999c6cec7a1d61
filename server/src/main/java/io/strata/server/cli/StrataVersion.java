package io.strata.server.cli;

import io.strata.csi.BuildVersion;
import picocli.CommandLine.IVersionProvider;

/** The version of this build (one for every module: the one the CSI driver reports too). */
public final class StrataVersion implements IVersionProvider {

    @Override
    public String[] getVersion() {
        return new String[] {"strata " + version() + " (Java " + Runtime.version() + ")"};
    }

    public static String version() {
        return BuildVersion.vendorVersion();
    }
}
