package io.strata.server.cli;

import io.strata.domain.SnapshotName;
import io.strata.domain.VolumeName;
import java.util.Optional;

/**
 * {@code NAME} (a volume's head) or {@code NAME@SNAPSHOT} (one of its snapshots), as the CLI takes
 * them. Names never contain {@code @}, so the first one splits.
 */
record VolumeRef(VolumeName volume, Optional<SnapshotName> snapshot) {

    static VolumeRef parse(String text) {
        int at = text.indexOf('@');
        if (at < 0) {
            return new VolumeRef(VolumeName.of(text), Optional.empty());
        }
        return new VolumeRef(VolumeName.of(text.substring(0, at)),
                Optional.of(SnapshotName.of(text.substring(at + 1))));
    }

    @Override
    public String toString() {
        return snapshot.map(s -> volume + "@" + s).orElse(volume.toString());
    }
}
