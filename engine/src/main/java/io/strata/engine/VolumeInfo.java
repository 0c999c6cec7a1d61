package io.strata.engine;

import io.strata.domain.VolumeName;
import java.time.Instant;

/**
 * What is known of one volume.
 *
 * @param allocatedBytes bytes of data held by all its layers (head and snapshots), 4 KiB granular
 * @param layers         files in its layer tree, head included
 */
public record VolumeInfo(VolumeName name, long size, Instant created, int snapshots, int layers,
                         long allocatedBytes) {}
