package io.strata.control.job;

import io.strata.domain.DiskFull;
import io.strata.domain.StrataException;
import java.io.IOException;

/** How a job's exception is read: a shutdown cutting it short, a failure worth retrying, or its end. */
final class JobFailures {
    private JobFailures() {}

    /** Worth another attempt: a busy or unreachable target, not bad input or damaged data. */
    static boolean retriable(Throwable e) {
        return switch (e) {
            case StrataException.Unavailable u -> true;
            case StrataException s -> false;
            case IOException io -> true;
            default -> false;
        };
    }

    /** Whether {@code e} is this thread being interrupted rather than the job failing. */
    static boolean interrupted(Throwable e) {
        if (Thread.currentThread().isInterrupted()) {
            return true;
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof InterruptedException || t instanceof java.io.InterruptedIOException
                    || t instanceof java.nio.channels.ClosedByInterruptException) {
                return true;
            }
        }
        return false;
    }

    static String message(Throwable e) {
        if (DiskFull.causes(e)) {
            return DiskFull.ADVICE; // where a backup writes to a full target, or a restore or clone into a full data directory
        }
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }

    static String describe(JobRecord job) {
        return switch (job.kind()) {
            case BACKUP -> "backup " + job.backup() + " of volume " + job.volume();
            case RESTORE -> "restore of backup " + job.backup() + " into volume " + job.volume();
            case CLONE -> "clone of " + CloneJob.sourceOf(job) + " into volume " + job.volume();
        };
    }
}
