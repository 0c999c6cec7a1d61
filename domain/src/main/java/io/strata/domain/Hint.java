package io.strata.domain;

/**
 * What to do next about a failure, as data rather than words. A domain message says what failed and
 * why in words every surface can show; where the way forward depends on the tool the caller holds
 * (a CLI command, a REST endpoint), the error carries a hint, and each surface says it in its own
 * language: the CLI as a command, the REST API as an endpoint, CSI in plain words ({@link #plain}).
 * So no message of one tool ever points at another.
 */
public sealed interface Hint {

    /** The hint in plain words, for a surface that has no command or endpoint to offer (CSI). */
    String plain();

    /** See which volumes exist. */
    record ListVolumes() implements Hint {
        @Override
        public String plain() {
            return "list the volumes to see which exist";
        }
    }

    /** See which snapshots a volume keeps. */
    record ListSnapshots(VolumeName volume) implements Hint {
        @Override
        public String plain() {
            return "list the snapshots of volume '" + volume + "' to see which exist";
        }
    }

    /** See which backup volumes a backup target holds. */
    record ListBackupVolumes(String target) implements Hint {
        @Override
        public String plain() {
            return "list the backup volumes of " + target + " to see which exist";
        }
    }

    /** See which backups of a volume a backup target holds. */
    record ListBackups(String target, String volume) implements Hint {
        @Override
        public String plain() {
            return "list the backups of '" + volume + "' in " + target + " to see which exist";
        }
    }

    /** Create a directory target that does not exist, or have Strata create it. */
    record CreateTargetDirectory(String target) implements Hint {
        @Override
        public String plain() {
            return "mount what should be there, create the directory, or ask Strata to create it";
        }
    }

    /** See which jobs there are. */
    record ListJobs() implements Hint {
        @Override
        public String plain() {
            return "list the jobs to see which exist";
        }
    }
}
