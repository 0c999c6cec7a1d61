package io.strata.server.cli;

import io.strata.control.job.JobRecord;
import io.strata.control.job.Jobs;
import io.strata.domain.ByteSize;
import io.strata.domain.StrataException;
import io.strata.engine.VolumeStore;
import io.strata.server.api.ApiModel;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code strata job ...}: the backups, restores and clones a server runs as jobs. Through the
 * server while one runs; without one, from the job records it left in the data directory (jobs it
 * would resume at its next start show as running, and cancelling one keeps it from resuming).
 */
@Command(name = "job",
        mixinStandardHelpOptions = true,
        description = "List and cancel the backups, restores and clones a server runs as jobs.")
final class JobCommand extends CommandGroup {
    enum State { running, complete, error }

    @Command(name = "ls", mixinStandardHelpOptions = true, description = "List jobs, oldest first.")
    void list(@Option(names = "--state", paramLabel = "STATE", description = "Only jobs in this state: running, complete or error.")
              State state,
              @Option(names = "--json", description = "Print JSON.") boolean json) throws IOException {
        List<ApiModel.Job> jobs;
        Optional<ServerClient> server = root.server();
        if (server.isPresent()) {
            jobs = server.get().jobs();
        } else {
            try (VolumeStore store = root.openStore(); Services services = root.services(store)) {
                jobs = services.jobs().all().stream().map(ApiModel.Job::of).toList();
            }
        }
        jobs = jobs.stream().filter(j -> state == null || j.state().equals(state.name()))
                .sorted(Comparator.comparing(ApiModel.Job::created).thenComparing(ApiModel.Job::id)).toList();
        if (json) {
            Json.print(out(), jobs.stream().map(JobJson::of).toList());
            return;
        }
        if (jobs.isEmpty()) {
            out().println(state == null ? "no jobs: backups, restores and clones made through a server show here"
                    : "no " + state + " jobs");
            return;
        }
        Table table = new Table("ID", "STATE", "DONE", "VOLUME", "CREATED", "ERROR");
        for (ApiModel.Job j : jobs) {
            table.row(j.id(), j.state(), done(j), j.volume(), j.created().truncatedTo(ChronoUnit.SECONDS), j.error() == null ? "-" : j.error());
        }
        table.print(out());
    }

    /** A job as {@code --json} prints it: the API's fields, times as ISO-8601 text. */
    record JobJson(String id, String kind, String state, String volume, String backupVolume, String backup, String snapshot,
                   String created, String finished, String error, Integer percent, Long bytesDone, Long bytesTotal) {
        static JobJson of(ApiModel.Job j) {
            ApiModel.Progress p = j.progress();
            return new JobJson(j.id(), j.kind(), j.state(), j.volume(), j.backupVolume(), j.backup(), j.snapshot(),
                    j.created() == null ? null : j.created().toString(), j.finished() == null ? null : j.finished().toString(), j.error(),
                    p == null ? null : p.percent(), p == null ? null : p.bytesDone(), p == null ? null : p.bytesTotal());
        }
    }

    private static String done(ApiModel.Job j) {
        ApiModel.Progress p = j.progress();
        if (p == null || p.bytesTotal() == 0) {
            return p == null ? "-" : p.percent() + "%";
        }
        return p.percent() + "% of " + ByteSize.human(p.bytesTotal());
    }

    @Command(name = "cancel", mixinStandardHelpOptions = true,
            description = "Cancel a running job: it stops at its next block and ends in error, cancelled.")
    void cancel(@Parameters(paramLabel = "ID", description = "The job's id as strata job ls shows it: backup@NAME, restore@VOLUME"
            + " or clone@VOLUME.") String id) throws IOException {
        JobRecord.Kind kind = kind(id);
        String name = id.substring(id.indexOf('@') + 1);
        Optional<ServerClient> server = root.server();
        if (server.isPresent()) {
            ApiModel.Job job = server.get().cancelJob(id);
            out().println("cancelled job " + job.id() + " (" + job.state() + ")");
            return;
        }
        try (VolumeStore store = root.openStore(); Services services = root.services(store)) {
            Jobs jobs = services.jobs();
            Jobs.Status job = jobs.get(kind, name).orElseThrow(() -> noSuchJob(id));
            if (job.record().state() != JobRecord.State.RUNNING) {
                throw new StrataException.FailedPrecondition("job '" + id + "' has already ended (" + ApiModel.Job.of(job).state()
                        + "): there is nothing to cancel");
            }
            jobs.cancel(kind, name, "cancelled with strata job cancel while no server ran", Jobs.CANCEL_WAIT);
            out().println("cancelled job " + id + " (" + ApiModel.Job.of(jobs.get(kind, name).orElseThrow()).state() + ")");
        }
    }

    private static JobRecord.Kind kind(String id) {
        int at = id.indexOf('@');
        if (at > 0 && at < id.length() - 1) {
            for (JobRecord.Kind kind : JobRecord.Kind.values()) {
                if (kind.name().toLowerCase(Locale.ROOT).equals(id.substring(0, at))) {
                    return kind;
                }
            }
        }
        throw new StrataException.InvalidArgument("'" + id + "' is not a job id: they look like backup@NAME, restore@VOLUME"
                + " or clone@VOLUME, as strata job ls shows them");
    }

    private static StrataException noSuchJob(String id) {
        return new StrataException.NotFound("there is no job '" + id + "': strata job ls lists them");
    }

    /** What {@code backup create --detach} says: the job, and how to watch and stop it. */
    static void printDetached(PrintWriter out, ApiModel.Job job, ServerClient server, boolean json) {
        if (json) {
            Json.print(out, JobJson.of(job));
            return;
        }
        out.println("started job " + job.id() + " in " + server.describe() + "; it goes on without this command");
        out.println("watch it:  strata job ls");
        out.println("cancel it: strata job cancel " + job.id());
        out.flush();
    }

    private PrintWriter out() {
        return spec.commandLine().getOut();
    }
}
