package io.strata.csi.node;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What NodeStageVolume asks for, checked by the CSI layer.
 *
 * @param export      the volume's NBD export, from ControllerPublishVolume's publish context
 * @param block       block access: the device, no filesystem
 * @param fsType      {@code ext4} or {@code xfs}; empty: whatever filesystem the volume holds, else ext4
 * @param mountFlags  mount options for the filesystem
 * @param readOnly    attach and mount read-only
 * @param size        the volume's size in bytes
 * @param blank       the volume holds no data at all, so a filesystem may be made on it
 */
public record StageSpec(String volume, String export, Path stagingPath, boolean block, String fsType, List<String> mountFlags,
                        boolean readOnly, long size, boolean blank) {
    public StageSpec {
        Objects.requireNonNull(volume, "volume");
        Objects.requireNonNull(export, "export");
        stagingPath = stagingPath.normalize();
        Objects.requireNonNull(fsType, "fsType");
        mountFlags = List.copyOf(mountFlags);
    }
}
