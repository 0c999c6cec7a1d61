package io.strata.control.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.domain.PrivateFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoryClusterStateTest extends ClusterStateContract {
    @TempDir
    Path dir;
    private SettableClock clockInUse;

    @Override
    ClusterState newState(SettableClock clock) throws Exception {
        clockInUse = clock;
        return new DirectoryClusterState(dir.resolve("cluster"), clock);
    }

    @Override
    ClusterState anotherNode() throws Exception {
        return new DirectoryClusterState(dir.resolve("cluster"), clockInUse);
    }

    @Test
    void tempFilesLeftByACrashAreIgnoredAndTheRecordsTheyWereToReplaceStayWhole() throws Exception {
        state.reserve("db", "node-1");
        state.updateSettings(0, Settings.withBackupTarget("nfs://server:/one"));
        Lease lease = state.lease("node-1", Duration.ofSeconds(15));
        Path root = dir.resolve("cluster");
        // What a writer that died after writing its temp file, before the rename, leaves behind:
        // a whole temp (the next version) and a torn one.
        Files.writeString(root.resolve(".tmp-crashed-whole"), "version=2\nbackupTarget=nfs\\://server\\:/two\n");
        Files.writeString(root.resolve(".tmp-crashed-torn"), "holder=node-2\ntok");
        Files.writeString(root.resolve("reservations").resolve(".tmp-crashed"), "node=node-");

        ClusterState reopened = new DirectoryClusterState(root, clock);
        assertThat(reopened.settings()).isEqualTo(new Versioned<>(1, Settings.withBackupTarget("nfs://server:/one")));
        assertThat(reopened.current()).contains(lease);
        assertThat(reopened.reservation("db")).map(Reservation::node).contains(NodeId.of("node-1"));
        assertThat(reopened.reserve("db", "node-2")).isEmpty();
        assertThat(reopened.updateSettings(1, Settings.NONE).version()).isEqualTo(2);
        assertThat(reopened.reserve("other", "node-2")).isPresent();
    }

    @Test
    void aWriteLeavesNoTempFileBehind() throws Exception {
        state.reserve("db", "node-1");
        state.reserve("db", "node-2");
        state.updateSettings(0, Settings.NONE);
        state.lease("node-1", Duration.ofSeconds(15));
        try (Stream<Path> files = Files.walk(dir.resolve("cluster"))) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(".tmp-"));
        }
    }

    @Test
    void filesAreOwnerOnlyAndDirectoriesToo() throws Exception {
        state.reserve("db", "node-1");
        state.updateSettings(0, Settings.withBackupTarget("nfs://server:/one"));
        state.lease("node-1", Duration.ofSeconds(15));
        Path root = dir.resolve("cluster");
        for (Path d : new Path[] {root, root.resolve("reservations")}) {
            assertThat(Files.getPosixFilePermissions(d)).as(d.toString()).isEqualTo(PrivateFiles.DIRECTORY_MODE);
        }
        for (Path f : new Path[] {root.resolve("lock"), root.resolve("settings"), root.resolve("lease"), root.resolve("reservations/db")}) {
            assertThat(Files.getPosixFilePermissions(f)).as(f.toString()).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        }
    }

    @Test
    void aDamagedRecordIsRefusedAsCorruptWithoutEchoingItsContent() throws Exception {
        Files.writeString(dir.resolve("cluster/settings"), "version=SECRET-not-a-number\n", StandardCharsets.UTF_8);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> state.settings())
                .isInstanceOf(io.strata.domain.StrataException.Corrupt.class)
                .hasMessageContaining("settings")
                .hasMessageNotContaining("SECRET");
    }
}
