package io.strata.backupstore.target;

import io.strata.backupstore.s3.S3Target;
import io.strata.backupstore.s3.S3TestServer;
import java.io.IOException;
import org.junit.jupiter.api.AfterEach;

/** The S3 target passes the same contract as the directory target, against a real S3 server. */
class S3TargetContractTest extends BackupTargetContract {
    private final S3TestServer server = S3TestServer.shared();

    @Override
    BackupTarget newTarget() {
        return server.newTarget();
    }

    @AfterEach
    void dropBucket() throws IOException {
        server.release((S3Target) target);
    }
}
