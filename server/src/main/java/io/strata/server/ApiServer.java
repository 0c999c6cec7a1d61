package io.strata.server;

import io.strata.control.BackupService;
import io.strata.control.BackupTargetSetting;
import io.strata.control.SnapshotService;
import io.strata.control.VolumeService;
import io.strata.control.job.Jobs;
import io.strata.engine.VolumeStore;
import io.strata.server.api.BackupsApi;
import io.strata.server.api.JobsApi;
import io.strata.server.api.OpenApi;
import io.strata.server.api.SettingsApi;
import io.strata.server.api.SnapshotsApi;
import io.strata.server.api.VolumesApi;
import io.strata.server.http.Response;
import io.strata.server.http.Route;
import io.strata.server.metrics.StrataMetrics;
import io.strata.server.ui.WebUi;
import io.strata.domain.StrataException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Every route {@code strata server} serves over HTTP: the REST API, {@code /openapi.json},
 * {@code /metrics}, {@code /healthz}, {@code /readyz} and the web UI. What answers without a token
 * is chosen here, in one place: what a probe, a scraper or a browser before its login needs, none
 * of which reads or changes a volume.
 */
public final class ApiServer {
    private static final String TEXT = "text/plain; charset=utf-8";

    private ApiServer() {}

    /** What the routes work with. */
    public record Parts(VolumeStore store, VolumeService volumes, SnapshotService snapshots, BackupService backups, Jobs jobs,
                        BackupTargetSetting target, StrataMetrics metrics, SettingsApi.Identity identity, BooleanSupplier ready) {}

    public static List<Route> routes(Parts p) {
        List<Route> routes = new ArrayList<>();
        routes.addAll(new VolumesApi(p.volumes()).routes());
        routes.addAll(new SnapshotsApi(p.snapshots(), p.volumes(), p.jobs(), p.store()).routes());
        routes.addAll(new BackupsApi(p.backups(), p.snapshots(), p.volumes(), p.jobs(), p.target()).routes());
        routes.addAll(new JobsApi(p.jobs()).routes());
        routes.addAll(new SettingsApi(p.target(), p.volumes(), p.identity()).routes());
        routes.add(OpenApi.route().withoutToken());
        routes.add(Route.get("/metrics", request -> Response.bytes(StrataMetrics.CONTENT_TYPE, p.metrics().scrape())).withoutToken());
        // liveness: the process answers HTTP; readiness: it serves CSI and the API (not while starting or stopping)
        routes.add(Route.get("/healthz", request -> Response.text(TEXT, "ok\n")).withoutToken());
        routes.add(Route.get("/readyz", request -> {
            if (!p.ready().getAsBoolean()) {
                throw new StrataException.Unavailable("the server is starting or stopping: retry in a moment");
            }
            return Response.text(TEXT, "ok\n");
        }).withoutToken());
        WebUi.load().routes().forEach(route -> routes.add(route.withoutToken()));
        return routes;
    }
}
