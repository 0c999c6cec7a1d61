package io.strata.backupstore;

import io.strata.backupstore.s3.S3Target;
import io.strata.backupstore.target.BackupTarget;
import io.strata.backupstore.target.DirectoryTarget;
import io.strata.backupstore.target.NfsMount;
import io.strata.backupstore.target.TargetUrl;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** Opens the {@link BackupTarget} a URL names: a directory, an NFS export (mounted first) or an S3 bucket. */
public final class BackupTargets {
    private final Map<String, String> environment;
    private final Path mountRoot;
    private final NfsMount nfs;

    /**
     * @param environment where S3 credentials and endpoints come from ({@code System.getenv()} in production)
     * @param mountRoot   where NFS targets are mounted, e.g. {@code <data dir>/mounts}
     */
    public BackupTargets(Map<String, String> environment, Path mountRoot, NfsMount nfs) {
        this.environment = Map.copyOf(environment);
        this.mountRoot = mountRoot;
        this.nfs = nfs;
    }

    public BackupTarget open(String url) throws IOException {
        return switch (TargetUrl.parse(url)) {
            case TargetUrl.Directory dir -> new DirectoryTarget(url, dir.path());
            case TargetUrl.Nfs share -> new DirectoryTarget(url, nfs.ensureMounted(share, mountRoot));
            case TargetUrl.S3 s3 -> S3Target.open(s3, environment);
        };
    }
}
