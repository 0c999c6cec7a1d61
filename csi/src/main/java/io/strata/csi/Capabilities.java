package io.strata.csi;

import io.strata.csi.v1.VolumeCapability;
import io.strata.csi.v1.VolumeCapability.AccessMode.Mode;
import io.strata.domain.StrataException;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The volume capabilities Strata serves. A volume is a chain of layer files on one node, exported
 * to that node as one block device, so only single-node access modes work: SINGLE_NODE_WRITER,
 * SINGLE_NODE_READER_ONLY, and the finer SINGLE_NODE_SINGLE_WRITER and SINGLE_NODE_MULTI_WRITER
 * (several workloads of one node share the device or the filesystem on it). It is used as a raw
 * block device or as an ext4 (the default) or xfs filesystem; mount flags are the Node service's
 * to apply.
 */
final class Capabilities {

    static final Set<Mode> MODES = EnumSet.of(Mode.SINGLE_NODE_WRITER, Mode.SINGLE_NODE_READER_ONLY,
            Mode.SINGLE_NODE_SINGLE_WRITER, Mode.SINGLE_NODE_MULTI_WRITER);
    static final Set<String> FILESYSTEMS = Set.of("ext4", "xfs");

    private Capabilities() {}

    /** Why Strata cannot serve a volume as {@code capability} asks, or empty when it can. */
    static Optional<String> whyNot(VolumeCapability capability) {
        switch (capability.getAccessTypeCase()) {
            case BLOCK -> { }
            case MOUNT -> {
                String fsType = capability.getMount().getFsType();
                if (!fsType.isEmpty() && !FILESYSTEMS.contains(fsType)) {
                    // the value itself is not repeated: see CsiNames
                    return Optional.of("its fs_type is not one Strata formats: use ext4 (the default) or xfs");
                }
            }
            case ACCESSTYPE_NOT_SET -> {
                return Optional.of("it sets neither block nor mount: say how the volume is used");
            }
        }
        Mode mode = capability.getAccessMode().getMode();
        if (mode == Mode.UNKNOWN) {
            return Optional.of("it has no access mode");
        }
        if (mode == Mode.UNRECOGNIZED) {
            return Optional.of("its access mode is one this plugin does not know");
        }
        if (!MODES.contains(mode)) {
            return Optional.of("access mode " + mode + " needs the volume on several nodes at once, but a Strata volume is"
                    + " attached to one node at a time: use a single-node mode (ReadWriteOnce or ReadWriteOncePod)");
        }
        return Optional.empty();
    }

    /** INVALID_ARGUMENT naming the first capability Strata cannot serve, e.g. {@code volume_capabilities[1]}. */
    static void requireAll(List<VolumeCapability> capabilities, String field) {
        if (capabilities.isEmpty()) {
            throw new StrataException.InvalidArgument(field + " is required: give at least one volume capability");
        }
        for (int i = 0; i < capabilities.size(); i++) {
            require(capabilities.get(i), field + "[" + i + "]");
        }
    }

    /** {@code capability}, or INVALID_ARGUMENT when the request has none or Strata cannot serve it. */
    static VolumeCapability requirePresent(boolean present, VolumeCapability capability, String field) {
        if (!present) {
            throw new StrataException.InvalidArgument(field + " is required");
        }
        require(capability, field);
        return capability;
    }

    static void require(VolumeCapability capability, String field) {
        whyNot(capability).ifPresent(why -> {
            throw new StrataException.InvalidArgument(field + " is not supported: " + why);
        });
    }

    /** Whether the CO asks for a read-only volume whatever the readonly flag says. */
    static boolean readOnly(VolumeCapability capability) {
        return capability.getAccessMode().getMode() == Mode.SINGLE_NODE_READER_ONLY;
    }

    static boolean isBlock(VolumeCapability capability) {
        return capability.getAccessTypeCase() == VolumeCapability.AccessTypeCase.BLOCK;
    }
}
