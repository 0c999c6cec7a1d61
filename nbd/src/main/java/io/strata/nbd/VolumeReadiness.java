package io.strata.nbd;

import io.strata.domain.VolumeName;
import java.io.IOException;

/**
 * Whether a volume's content may be served yet. A volume that is still being filled in the
 * background (restored from a backup, cloned) exists at its final size at once, but reads as zeroes
 * wherever its content has not arrived: a client served then would read zeroes where the backup has
 * data, and take them for the volume's content. So {@link EngineExports} asks this before it opens
 * any export of a volume, and refuses the export when the volume is not ready.
 *
 * <p>Implemented by whoever knows what fills volumes (a Strata node: its jobs). Called from many
 * connection threads at once, once per export opened; it should be quick.
 */
@FunctionalInterface
public interface VolumeReadiness {

    /** Every volume is ready: for stores that nothing fills in the background (tools, tests). */
    VolumeReadiness ALWAYS = volume -> { };

    /**
     * Returns when {@code volume} may be served.
     *
     * @throws io.strata.domain.StrataException.Unavailable        while it is being filled; the message says
     *                                                             how far it got and to wait
     * @throws io.strata.domain.StrataException.FailedPrecondition when filling it failed, so that its
     *                                                             content is not what it should be
     */
    void requireReady(VolumeName volume) throws IOException;
}
