package io.strata.control.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.control.state.StateStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A job's error may quote a URL a library was given: the record, as stored and as read, keeps no password of it. */
class JobRecordRedactionTest {
    @TempDir
    Path tmp;

    @Test
    void anErrorQuotingAUrlWithAPasswordIsStoredWithoutIt() throws IOException {
        JobRecord failed = new JobRecord("b1", JobRecord.Kind.BACKUP, JobRecord.State.ERROR, "db", "s1", "s3://bucket@us-east-1/x/",
                "backup-1", "incremental", Instant.EPOCH, Instant.EPOCH,
                "backup failed: Connect to http://user:secretpw@10.0.0.5:9000 failed: Connection refused", 0, 0);
        assertThat(failed.error()).isEqualTo("backup failed: Connect to http://user:***@10.0.0.5:9000 failed: Connection refused");
        assertThat(failed.target()).as("a target URL's region is no credential").isEqualTo("s3://bucket@us-east-1/x/");

        new StateStore(tmp.resolve("state")).table("jobs", JobRecord.class).put("b1", failed);
        assertThat(Files.readString(tmp.resolve("state/jobs/b1.json"))).doesNotContain("secretpw").contains("user:***@");
    }
}
