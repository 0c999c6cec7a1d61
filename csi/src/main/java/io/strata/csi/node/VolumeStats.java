package io.strata.csi.node;

import java.util.Optional;

/**
 * What NodeGetVolumeStats reports of a staged or published volume.
 *
 * @param bytes    the filesystem's bytes, or the device's size alone (as {@code total}) for block access;
 *                 empty when they cannot be read
 * @param inodes   the filesystem's inodes; empty for block access
 * @param abnormal what is wrong with the volume, or empty when it works
 */
public record VolumeStats(Optional<Usage> bytes, Optional<Usage> inodes, Optional<String> abnormal) {

    /** One kind of usage; a count not known is 0, as CSI reads it. */
    public record Usage(long total, long used, long available) {}
}
