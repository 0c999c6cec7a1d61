package io.strata.server.node;

import io.strata.csi.v1.NodePublishVolumeRequest;
import io.strata.csi.v1.NodeStageVolumeRequest;
import io.strata.csi.v1.VolumeCapability;
import java.nio.file.Path;
import java.util.Map;

/** The paths and Node requests a kubelet would use, under a test's directory. */
record Kubelet(Path dir) {

    Path staging(String volume) {
        return dir.resolve("kubelet/plugins/driver.strata.io/" + volume + "/globalmount");
    }

    Path target(String volume, String pod) {
        return dir.resolve("kubelet/pods/" + pod + "/volumes/" + volume);
    }

    NodeStageVolumeRequest stageRequest(String volume, Map<String, String> context, VolumeCapability capability) {
        return NodeStageVolumeRequest.newBuilder().setVolumeId(volume).putAllPublishContext(context)
                .setStagingTargetPath(staging(volume).toString()).setVolumeCapability(capability).build();
    }

    NodePublishVolumeRequest publishRequest(String volume, String pod, VolumeCapability capability, boolean readOnly) {
        return NodePublishVolumeRequest.newBuilder().setVolumeId(volume).setStagingTargetPath(staging(volume).toString())
                .setTargetPath(target(volume, pod).toString()).setVolumeCapability(capability).setReadonly(readOnly).build();
    }
}
