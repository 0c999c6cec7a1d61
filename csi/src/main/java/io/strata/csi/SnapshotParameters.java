package io.strata.csi;

import io.strata.control.SnapshotService.Kind;
import io.strata.control.VolumeBackups;
import io.strata.domain.StrataException;
import java.util.Map;
import java.util.HashMap;

/**
 * What a VolumeSnapshotClass's parameters ask of CreateSnapshot.
 *
 * <ul>
 *   <li>{@code type}: {@code bak} (the default) backs the snapshot up to the backup target;
 *       {@code ss} and {@code snap} keep it in the cluster, inside its volume.</li>
 *   <li>{@code backupMode}: {@code incremental} (the default) or {@code full}, for {@code bak} only.</li>
 *   <li>{@code backupBlockSize}: {@code 2Mi} or {@code 16Mi}, for {@code bak} only, as Longhorn's: the block size
 *       of a new backup volume; a backup volume keeps the size of its first backup, and a different one is refused.
 *       Absent: the backup volume's own, 2 MiB for a new one.</li>
 *   <li>Keys under {@code csi.storage.k8s.io/} belong to the sidecar (secret references, and the
 *       VolumeSnapshot's name with {@code --extra-create-metadata}) and are dropped.</li>
 *   <li>Every other parameter becomes a label of the snapshot and its backup.</li>
 * </ul>
 *
 * @param full      a full backup: every block re-read and re-uploaded
 * @param blockSize 2 or 16 MiB, or 0 for the backup volume's own
 * @param labels    the parameters left over, which label the snapshot
 */
record SnapshotParameters(Kind kind, boolean full, long blockSize, Map<String, String> labels) {

    static final String TYPE = "type";
    static final String BACKUP_MODE = "backupMode";
    static final String BACKUP_BLOCK_SIZE = "backupBlockSize";
    static final String SIDECAR_PREFIX = "csi.storage.k8s.io/";

    SnapshotParameters {
        labels = Map.copyOf(labels);
    }

    /** @throws StrataException.InvalidArgument naming the parameter and the values it takes */
    static SnapshotParameters parse(Map<String, String> parameters) {
        Kind kind = switch (parameters.getOrDefault(TYPE, "bak")) {
            case "bak" -> Kind.BAK;
            case "ss" -> Kind.SS;
            case "snap" -> Kind.SNAP;
            default -> throw new StrataException.InvalidArgument("VolumeSnapshotClass parameter " + TYPE
                    + " must be bak (a backup in the backup target, the default), ss or snap (a snapshot in the cluster)");
        };
        String mode = parameters.get(BACKUP_MODE);
        if (mode != null && kind != Kind.BAK) {
            throw new StrataException.InvalidArgument("VolumeSnapshotClass parameter " + BACKUP_MODE + " applies to type bak"
                    + " only: remove it, or use type bak");
        }
        boolean full = switch (mode == null ? "incremental" : mode) {
            case "incremental" -> false;
            case "full" -> true;
            default -> throw new StrataException.InvalidArgument("VolumeSnapshotClass parameter " + BACKUP_MODE
                    + " must be incremental (the default) or full");
        };
        String blockSize = parameters.get(BACKUP_BLOCK_SIZE);
        if (blockSize != null && kind != Kind.BAK) {
            throw new StrataException.InvalidArgument("VolumeSnapshotClass parameter " + BACKUP_BLOCK_SIZE + " applies to type bak"
                    + " only: remove it, or use type bak");
        }
        long size;
        try {
            size = VolumeBackups.blockSize(blockSize);
        } catch (StrataException.InvalidArgument e) {
            throw new StrataException.InvalidArgument("VolumeSnapshotClass parameter " + BACKUP_BLOCK_SIZE
                    + " must be 2Mi (the default for a new backup volume) or 16Mi, the block sizes Longhorn allows");
        }
        Map<String, String> labels = new HashMap<>();
        parameters.forEach((key, value) -> {
            if (!key.equals(TYPE) && !key.equals(BACKUP_MODE) && !key.equals(BACKUP_BLOCK_SIZE) && !key.startsWith(SIDECAR_PREFIX)) {
                labels.put(key, value);
            }
        });
        return new SnapshotParameters(kind, full, size, labels);
    }
}
