package io.strata.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.server.cli.ProgressLine.Figures;
import io.strata.server.cli.ProgressLine.Work;
import org.junit.jupiter.api.Test;

/** What the progress line says of each kind of work, from its first moment on. */
class ProgressLineTest {
    private static final long MiB = 1 << 20;

    @Test
    void untilTheTotalIsKnownTheWorkIsStartingNotZeroOfZero() {
        for (Work work : Work.values()) {
            String line = ProgressLine.render("restoring into db", new Figures(work, 0, 0, 0, 0, 0, 0), 0.5);
            assertThat(line).isEqualTo("restoring into db: starting…").doesNotContain("0 B");
        }
    }

    @Test
    void aBackupShowsWhatItReadAndUploaded() {
        String line = ProgressLine.render("backing up db", new Figures(Work.BACKUP, 50, 8 * MiB, 16 * MiB, 2 * MiB, 1, 3), 2);
        assertThat(line).isEqualTo("backing up db: 50% 8.0 MiB of 16.0 MiB read, 2.0 MiB uploaded, 1 new / 3 reused blocks, 4.0 MiB/s");
    }

    @Test
    void aRestoreAndACloneShowWhatTheyReadAndWroteNeverUploads() {
        String restore = ProgressLine.render("restoring into db", new Figures(Work.RESTORE, 25, 4 * MiB, 16 * MiB, 0, 0, 0), 1);
        assertThat(restore).isEqualTo("restoring into db: 25% 4.0 MiB of 16.0 MiB read and written, 4.0 MiB/s")
                .doesNotContain("upload", "new", "reused");
        String clone = ProgressLine.render("cloning into copy", new Figures(Work.CLONE, 25, 4 * MiB, 16 * MiB, 0, 0, 0), 1);
        assertThat(clone).isEqualTo("cloning into copy: 25% 4.0 MiB of 16.0 MiB copied, 4.0 MiB/s");
        assertThat(Work.ofJob("restore")).isEqualTo(Work.RESTORE);
        assertThat(Work.ofJob("clone")).isEqualTo(Work.CLONE);
        assertThat(Work.ofJob("backup")).isEqualTo(Work.BACKUP);
    }
}
