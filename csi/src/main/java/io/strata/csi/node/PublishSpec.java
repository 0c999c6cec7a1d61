package io.strata.csi.node;

import java.nio.file.Path;
import java.util.Objects;

/**
 * What NodePublishVolume asks for, checked by the CSI layer.
 *
 * @param block        block access: the device node is bound at the target path (a file)
 * @param readOnly     the bind is read-only
 * @param singleWriter the access mode allows one workload only (SINGLE_NODE_SINGLE_WRITER): no
 *                     second target path while one is published
 */
public record PublishSpec(String volume, Path stagingPath, Path targetPath, boolean block, boolean readOnly, boolean singleWriter) {
    public PublishSpec {
        Objects.requireNonNull(volume, "volume");
        stagingPath = stagingPath.normalize();
        targetPath = targetPath.normalize();
    }
}
