package io.strata.server.api;

import io.strata.control.BackupTargetSetting;
import io.strata.control.VolumeService;
import io.strata.domain.Redaction;
import io.strata.server.api.ApiModel.BackupTarget;
import io.strata.server.api.ApiModel.Info;
import io.strata.server.api.ApiModel.SetBackupTarget;
import io.strata.server.http.Request;
import io.strata.server.http.Response;
import io.strata.server.http.Route;
import java.io.IOException;
import java.util.List;

/** {@code /api/v1/backup-target} (where backups go: read, set, reset) and {@code /api/v1/info} (what this server is). */
public final class SettingsApi {
    private static final String BACKUP_TARGET = "/api/v1/backup-target";

    /** What {@code /api/v1/info} reports besides what changes. */
    public record Identity(String version, String nodeId, String driverName, String dataDir) {}

    private final BackupTargetSetting target;
    private final VolumeService volumes;
    private final Identity identity;

    public SettingsApi(BackupTargetSetting target, VolumeService volumes, Identity identity) {
        this.target = target;
        this.volumes = volumes;
        this.identity = identity;
    }

    public List<Route> routes() {
        return List.of(
                Route.get("/api/v1/info", this::info),
                Route.get(BACKUP_TARGET, this::getTarget),
                Route.put(BACKUP_TARGET, this::setTarget),
                Route.delete(BACKUP_TARGET, this::resetTarget));
    }

    private Response info(Request request) throws IOException {
        return Response.ok(new Info(identity.version(), identity.nodeId(), identity.driverName(), identity.dataDir(),
                Redaction.url(target.get()), volumes.capacity()));
    }

    private Response getTarget(Request request) throws IOException {
        return Response.ok(BackupTarget.of(target.current()));
    }

    /**
     * Opens and lists the target first: one that does not open is refused (400 or 503) and nothing changes. A
     * directory that does not exist is refused too, unless {@code "create": true} asks for it to be made.
     */
    private Response setTarget(Request request) throws IOException {
        SetBackupTarget body = request.body(SetBackupTarget.class);
        return Response.ok(BackupTarget.of(target.set(Fields.required(body.url(), "url"), Boolean.TRUE.equals(body.create()))));
    }

    /** Back to the configured target (flag, environment or default). */
    private Response resetTarget(Request request) throws IOException {
        return Response.ok(BackupTarget.of(target.clear()));
    }
}
