package io.strata.server.api;

import io.strata.control.job.JobRecord;
import io.strata.control.job.Jobs;
import io.strata.domain.Hint;
import io.strata.domain.StrataException;
import io.strata.server.api.ApiModel.Job;
import io.strata.server.http.Request;
import io.strata.server.http.Response;
import io.strata.server.http.Route;
import java.io.IOException;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * {@code /api/v1/jobs}: backups and restores running or done, with progress. A job's id is
 * {@code backup@NAME}, {@code restore@VOLUME} or {@code clone@VOLUME}; the {@code Location} of a 202 points here.
 */
public final class JobsApi {
    static final String JOBS = "/api/v1/jobs";

    private final Jobs jobs;

    public JobsApi(Jobs jobs) {
        this.jobs = jobs;
    }

    public List<Route> routes() {
        return List.of(
                Route.get(JOBS, this::list),
                Route.get(JOBS + "/{job}", this::get),
                Route.post(JOBS + "/{job}/cancel", this::cancel));
    }

    /** Oldest first; {@code ?state=running|complete|error} and {@code ?kind=backup|restore|clone} narrow it. */
    private Response list(Request request) throws IOException {
        Optional<String> state = request.query("state").map(s -> oneOf("state", s, "running", "complete", "error"));
        Optional<String> kind = request.query("kind").map(k -> oneOf("kind", k, "backup", "restore", "clone"));
        return Response.ok(jobs.all().stream().map(Job::of)
                .filter(j -> state.map(j.state()::equals).orElse(true))
                .filter(j -> kind.map(j.kind()::equals).orElse(true))
                .sorted(Comparator.comparing(Job::created).thenComparing(Job::id))
                .toList());
    }

    private Response get(Request request) throws IOException {
        return Response.ok(Job.of(existing(request.param("job"))));
    }

    /**
     * Stops a running job at its next block; it ends in error, "cancelled". A backup's in-progress
     * cfg stays in the target until the backup is deleted; a restored or cloned volume stays, not
     * usable, until it is deleted.
     */
    private Response cancel(Request request) throws IOException {
        String id = request.param("job");
        Jobs.Status job = existing(id);
        if (job.record().state() != JobRecord.State.RUNNING) {
            throw new StrataException.FailedPrecondition("job '" + id + "' has already ended (" + Job.of(job).state()
                    + "): there is nothing to cancel");
        }
        jobs.cancel(job.record().kind(), job.record().id(), "asked through the REST API", Jobs.CANCEL_WAIT);
        return Response.ok(Job.of(existing(id)));
    }

    private Jobs.Status existing(String id) throws IOException {
        int at = id.indexOf('@');
        String kind = at < 0 ? "" : id.substring(0, at);
        String name = at < 0 ? "" : id.substring(at + 1);
        Optional<Jobs.Status> job = Optional.empty();
        for (JobRecord.Kind k : JobRecord.Kind.values()) {
            if (Job.kind(k).equals(kind) && !name.isEmpty()) {
                job = jobs.get(k, name);
            }
        }
        return job.orElseThrow(() -> new StrataException.NotFound("there is no job '" + id + "' (job ids look like"
                + " backup@NAME, restore@VOLUME or clone@VOLUME)").withHint(new Hint.ListJobs()));
    }

    private static String oneOf(String parameter, String value, String... allowed) {
        if (!List.of(allowed).contains(value)) {
            throw new StrataException.InvalidArgument("query parameter '" + parameter + "' is '" + value + "': use one of "
                    + String.join(", ", allowed));
        }
        return value;
    }
}
