package io.strata.server.api;

import io.strata.control.SnapshotService;
import io.strata.control.SnapshotService.Kind;
import io.strata.control.SnapshotService.SnapshotView;
import io.strata.control.VolumeService;
import io.strata.control.job.JobRecord;
import io.strata.control.job.Jobs;
import io.strata.domain.Hint;
import io.strata.domain.SnapshotHandle;
import io.strata.domain.SnapshotName;
import io.strata.domain.StrataException;
import io.strata.domain.VolumeName;
import io.strata.engine.SnapshotInfo;
import io.strata.engine.VolumeStore;
import io.strata.server.api.ApiModel.Changes;
import io.strata.server.api.ApiModel.CreateSnapshot;
import io.strata.server.api.ApiModel.Snapshot;
import io.strata.server.api.ApiModel.Volume;
import io.strata.server.http.Request;
import io.strata.server.http.Response;
import io.strata.server.http.Route;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Snapshots: {@code /api/v1/snapshots} (every volume's, and backups) and
 * {@code /api/v1/volumes/{volume}/snapshots} — create (a snapshot kept in the volume, or one backed
 * up to the target), list, get, delete, revert, and the ranges that changed.
 */
public final class SnapshotsApi {
    private static final String OF_VOLUME = VolumesApi.VOLUMES + "/{volume}/snapshots";
    /** Labels Strata keeps for itself on snapshots; not the user's, so not shown. */
    private static final String OWN_LABELS = "strata.io/";

    private final SnapshotService snapshots;
    private final VolumeService volumes;
    private final Jobs jobs;
    private final VolumeStore store;

    public SnapshotsApi(SnapshotService snapshots, VolumeService volumes, Jobs jobs, VolumeStore store) {
        this.snapshots = snapshots;
        this.volumes = volumes;
        this.jobs = jobs;
        this.store = store;
    }

    public List<Route> routes() {
        return List.of(
                Route.get("/api/v1/snapshots", this::listAll),
                Route.get(OF_VOLUME, this::list),
                Route.post(OF_VOLUME, this::create),
                Route.get(OF_VOLUME + "/{snapshot}", this::get),
                Route.delete(OF_VOLUME + "/{snapshot}", this::delete),
                Route.post(OF_VOLUME + "/{snapshot}/revert", this::revert),
                Route.get(OF_VOLUME + "/{snapshot}/changes", this::changes));
    }

    /** {@code ?type=snapshot} lists only the snapshots kept in volumes and never reads the backup target; {@code ?type=backup} only backups. */
    private Response listAll(Request request) throws IOException {
        return switch (listed(request)) {
            case BOTH -> Response.ok(represent(snapshots.listAll()));
            case SNAPSHOTS -> {
                List<SnapshotView> out = new ArrayList<>();
                for (VolumeService.VolumeView volume : volumes.list()) {
                    out.addAll(snapshots.snapshotsOf(volume.info().name())); // none for a volume deleted since it was listed
                }
                out.sort(Comparator.comparing(SnapshotView::created).thenComparing(v -> v.handle().value()));
                yield Response.ok(represent(out));
            }
            case BACKUPS -> Response.ok(represent(backupsIn(snapshots.listAll())));
        };
    }

    /** As {@link #listAll}, for one volume. */
    private Response list(Request request) throws IOException {
        VolumeName volume = existingVolume(request);
        return Response.ok(represent(switch (listed(request)) {
            case BOTH -> snapshots.listByVolume(volume);
            case SNAPSHOTS -> snapshots.snapshotsOf(volume);
            case BACKUPS -> backupsIn(snapshots.listByVolume(volume));
        }));
    }

    /** What a listing holds, by its {@code type} query parameter. */
    private enum Listed { BOTH, SNAPSHOTS, BACKUPS }

    private static Listed listed(Request request) {
        return switch (request.query("type").orElse("")) {
            case "" -> Listed.BOTH;
            case "snapshot" -> Listed.SNAPSHOTS;
            case "backup" -> Listed.BACKUPS;
            case String other -> throw new StrataException.InvalidArgument("query parameter 'type' is '" + other
                    + "': use snapshot (kept in the volume), backup (in the backup target), or leave it out for both");
        };
    }

    private static List<SnapshotView> backupsIn(List<SnapshotView> views) {
        return views.stream().filter(v -> v.handle() instanceof SnapshotHandle.Backup).toList();
    }

    /**
     * A snapshot: 201 with it. A backup: 202 with it (not ready) and the location of the job that
     * uploads it. A snapshot name names one snapshot across all volumes: one taken is 409.
     */
    private Response create(Request request) throws IOException {
        VolumeName volume = existingVolume(request);
        CreateSnapshot body = request.body(CreateSnapshot.class);
        SnapshotName name = SnapshotName.of(Fields.required(body.name(), "name"));
        Kind kind = switch (body.type() == null ? "snapshot" : body.type()) {
            case "snapshot", "ss" -> Kind.SS;
            case "backup", "bak" -> Kind.BAK;
            default -> throw new StrataException.InvalidArgument("type '" + body.type() + "' is neither 'snapshot' (kept in the volume)"
                    + " nor 'backup' (a snapshot backed up to the backup target)");
        };
        if (kind == Kind.SS && snapshots.find(new SnapshotHandle.Snapshot("ss", volume, name)).isPresent()
                || jobs.backup(name.value()).isPresent()) {
            throw new StrataException.AlreadyExists("snapshot '" + name + "' of volume '" + volume + "' already exists: pick another"
                    + " name, or delete it first");
        }
        SnapshotView view = snapshots.create(name, volume, kind, Boolean.TRUE.equals(body.full()), Fields.labels(body.labels()));
        Snapshot created = represent(List.of(view)).getFirst();
        if (kind == Kind.BAK) {
            return Response.accepted(JobsApi.JOBS + "/" + created.job(), created);
        }
        return Response.created(VolumesApi.VOLUMES + "/" + volume + "/snapshots/" + name, created);
    }

    private Response get(Request request) throws IOException {
        return Response.ok(represent(List.of(existing(request))).getFirst());
    }

    /** 204; the volume's content does not change. */
    private Response delete(Request request) throws IOException {
        snapshots.delete(existing(request).handle());
        return Response.noContent();
    }

    /** 200 with the volume, whose content is the snapshot's again; refused (409) while it is attached. */
    private Response revert(Request request) throws IOException {
        SnapshotView snapshot = existing(request);
        SnapshotHandle.Snapshot handle = (SnapshotHandle.Snapshot) snapshot.handle();
        return Response.ok(Volume.of(volumes.revert(handle.volume(), handle.snapshot())));
    }

    /** The ranges written up to this snapshot: since snapshot {@code from}, or since the volume was created. */
    private Response changes(Request request) throws IOException {
        SnapshotHandle.Snapshot to = (SnapshotHandle.Snapshot) existing(request).handle();
        Optional<SnapshotName> from = request.query("from").filter(f -> !f.isEmpty()).map(SnapshotName::of);
        return Response.ok(Changes.of(to.volume().value(), from.map(SnapshotName::value).orElse(null), to.snapshot().value(),
                store.open(to.volume()).changedExtents(from, to.snapshot())));
    }

    /** A snapshot kept in the volume (not a backup: those are under /api/v1/backup-volumes). */
    private SnapshotView existing(Request request) throws IOException {
        VolumeName volume = existingVolume(request);
        SnapshotName name = SnapshotName.of(request.param("snapshot"));
        return snapshots.find(new SnapshotHandle.Snapshot("ss", volume, name)).orElseThrow(() -> new StrataException.NotFound(
                "volume '" + volume + "' has no snapshot '" + name + "'").withHint(new Hint.ListSnapshots(volume)));
    }

    private VolumeName existingVolume(Request request) throws IOException {
        VolumeName volume = VolumeName.of(request.param("volume"));
        if (volumes.view(volume).isEmpty()) {
            throw VolumesApi.notFound(volume);
        }
        return volume;
    }

    /** Views with what the engine adds to a snapshot (parent, labels) and the job of a backup made here. */
    private List<Snapshot> represent(List<SnapshotView> views) throws IOException {
        Map<String, String> jobOfBackup = new HashMap<>();
        for (Jobs.Status job : jobs.all()) {
            JobRecord r = job.record();
            if (r.kind() == JobRecord.Kind.BACKUP) {
                jobOfBackup.put(r.volume() + "/" + r.backup(), ApiModel.Job.id(r));
            }
        }
        return views.stream().map(v -> switch (v.handle()) {
            case SnapshotHandle.Snapshot s -> {
                Optional<SnapshotInfo> info = info(s);
                yield new Snapshot(s.value(), "snapshot", s.volume().value(), s.snapshot().value(), v.sizeBytes(), v.created(), v.ready(),
                        v.percent(), v.error().orElse(null), info.flatMap(SnapshotInfo::parent).map(Object::toString).orElse(null),
                        info.map(i -> userLabels(i.labels())).orElse(Map.of()), null, false);
            }
            case SnapshotHandle.Backup b -> new Snapshot(b.value(), "backup", b.volume(), b.backup(), v.sizeBytes(), v.created(),
                    v.ready(), v.percent(), v.error().orElse(null), null, null, jobOfBackup.get(b.volume() + "/" + b.backup()), v.broken());
        }).toList();
    }

    private Optional<SnapshotInfo> info(SnapshotHandle.Snapshot s) {
        try {
            return Optional.of(store.open(s.volume()).snapshot(s.snapshot()));
        } catch (IOException | StrataException e) {
            return Optional.empty(); // deleted since it was listed
        }
    }

    static Map<String, String> userLabels(Map<String, String> labels) {
        Map<String, String> out = new TreeMap<>(labels);
        out.keySet().removeIf(k -> k.startsWith(OWN_LABELS));
        return out;
    }
}
