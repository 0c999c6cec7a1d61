package io.strata.csi;

import com.google.protobuf.Timestamp;
import io.strata.control.SnapshotService.SnapshotView;
import io.strata.control.VolumeService;
import io.strata.control.VolumeService.VolumeView;
import io.strata.csi.v1.Snapshot;
import io.strata.csi.v1.Volume;
import io.strata.csi.v1.VolumeContentSource;
import java.time.Instant;
import java.util.Optional;

/** Control's views as CSI messages. */
final class CsiMessages {

    private CsiMessages() {}

    /** A volume on {@code nodeId}, with the content source it was made from. */
    static Volume volume(VolumeView view, String nodeId) {
        Volume.Builder volume = Volume.newBuilder()
                .setVolumeId(view.info().name().value())
                .setCapacityBytes(view.info().size())
                .addAccessibleTopology(Topologies.of(nodeId));
        contentSource(view.source()).ifPresent(volume::setContentSource);
        return volume.build();
    }

    /** The content source a volume records, as CreateVolume was given it. */
    static Optional<VolumeContentSource> contentSource(String recorded) {
        return switch (VolumeService.Source.parse(recorded)) {
            case VolumeService.Source.Empty e -> Optional.empty();
            case VolumeService.Source.OfVolume v -> Optional.of(VolumeContentSource.newBuilder()
                    .setVolume(VolumeContentSource.VolumeSource.newBuilder().setVolumeId(v.volume().value())).build());
            case VolumeService.Source.OfSnapshot s -> Optional.of(VolumeContentSource.newBuilder()
                    .setSnapshot(VolumeContentSource.SnapshotSource.newBuilder().setSnapshotId(s.handle().value())).build());
        };
    }

    static Snapshot snapshot(SnapshotView view) {
        return Snapshot.newBuilder()
                .setSnapshotId(view.handle().value())
                .setSourceVolumeId(view.sourceVolume())
                .setSizeBytes(view.sizeBytes())
                .setCreationTime(timestamp(view.created()))
                .setReadyToUse(view.ready())
                .build();
    }

    static Timestamp timestamp(Instant instant) {
        return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
    }
}
