package io.strata.server.api;

import io.strata.control.VolumeService;
import io.strata.control.VolumeService.Source;
import io.strata.control.VolumeService.VolumeView;
import io.strata.domain.ByteSize;
import io.strata.domain.Hint;
import io.strata.domain.SnapshotHandle;
import io.strata.domain.StrataException;
import io.strata.domain.VolumeName;
import io.strata.server.api.ApiModel.AttachmentState;
import io.strata.server.api.ApiModel.CreateVolume;
import io.strata.server.api.ApiModel.Expand;
import io.strata.server.api.ApiModel.Volume;
import io.strata.server.http.Request;
import io.strata.server.http.Response;
import io.strata.server.http.Route;
import java.io.IOException;
import java.util.List;

/** {@code /api/v1/volumes}: create (empty, a clone, or restored from a backup), list, get, expand, delete, attachment. */
public final class VolumesApi {
    static final String VOLUMES = "/api/v1/volumes";

    private final VolumeService volumes;

    public VolumesApi(VolumeService volumes) {
        this.volumes = volumes;
    }

    public List<Route> routes() {
        return List.of(
                Route.get(VOLUMES, this::list),
                Route.post(VOLUMES, this::create),
                Route.get(VOLUMES + "/{volume}", this::get),
                Route.delete(VOLUMES + "/{volume}", this::delete),
                Route.post(VOLUMES + "/{volume}/expand", this::expand),
                Route.get(VOLUMES + "/{volume}/attachment", this::attachment));
    }

    private Response list(Request request) throws IOException {
        return Response.ok(volumes.list().stream().map(Volume::of).toList());
    }

    /**
     * 201 with the volume; restored from a backup, it is there at once (state {@code restoring})
     * and its {@code restore} names the job that fills it. A name in use is 409, whatever it holds.
     */
    private Response create(Request request) throws IOException {
        CreateVolume body = request.body(CreateVolume.class);
        VolumeName name = VolumeName.of(Fields.required(body.name(), "name"));
        Long given = Fields.size(body.sizeBytes(), body.size());
        long size = given == null ? 0 : given;
        if (size < 0) {
            throw new StrataException.InvalidArgument("sizeBytes is " + size + ": give a positive size, or leave it out for the"
                    + " source's size (" + ByteSize.format(VolumeService.DEFAULT_SIZE) + " for an empty volume)");
        }
        Source source = source(body.source());
        Volume created = Volume.of(volumes.createNew(name, size, 0, source)); // 409 for a name in use, also for concurrent POSTs
        return Response.created(VOLUMES + "/" + name, created);
    }

    /** The source as a client writes it: nothing, {@code volume:NAME}, or a snapshot or backup handle. */
    static Source source(String text) {
        if (text == null || text.isBlank()) {
            return new Source.Empty();
        }
        if (text.startsWith("volume:")) {
            return new Source.OfVolume(VolumeName.of(text.substring("volume:".length())));
        }
        if (!text.contains("://")) {
            throw new StrataException.InvalidArgument("source '" + text + "' is neither volume:NAME nor a handle like"
                    + " ss://VOLUME/SNAPSHOT or bak://VOLUME/BACKUP");
        }
        return new Source.OfSnapshot(SnapshotHandle.parse(text));
    }

    private Response get(Request request) throws IOException {
        return Response.ok(Volume.of(existing(request)));
    }

    /**
     * 204. Refused (409) while the volume is attached or has snapshots kept in it, unless
     * {@code withSnapshots=true}, which deletes those snapshots first; backups are never deleted.
     */
    private Response delete(Request request) throws IOException {
        VolumeView view = existing(request);
        // one call: control checks every precondition before it deletes a snapshot
        volumes.delete(view.info().name(), request.flag("withSnapshots"));
        return Response.noContent();
    }

    /** 200 with the volume grown to {@code sizeBytes} (rounded up to 4 KiB); a volume never shrinks (422). */
    private Response expand(Request request) throws IOException {
        VolumeView view = existing(request);
        Expand body = request.body(Expand.class);
        long size = Fields.required(Fields.size(body.sizeBytes(), body.size()), "sizeBytes");
        if (size < view.info().size()) {
            throw new StrataException.OutOfRange("volume '" + view.info().name() + "' is " + view.info().size() + " bytes ("
                    + ByteSize.format(view.info().size()) + "); it cannot shrink to " + size + ": give a larger size");
        }
        volumes.expand(view.info().name(), size, 0);
        return Response.ok(Volume.of(volumes.view(view.info().name()).orElseThrow()));
    }

    private Response attachment(Request request) throws IOException {
        VolumeView view = existing(request);
        return Response.ok(view.attachment()
                .map(a -> new AttachmentState(true, a.node(), a.readOnly(), a.since()))
                .orElse(new AttachmentState(false, null, null, null)));
    }

    private VolumeView existing(Request request) throws IOException {
        VolumeName name = VolumeName.of(request.param("volume"));
        return volumes.view(name).orElseThrow(() -> notFound(name));
    }

    static StrataException.NotFound notFound(VolumeName name) {
        return new StrataException.NotFound("volume '" + name + "' does not exist").withHint(new Hint.ListVolumes());
    }
}
