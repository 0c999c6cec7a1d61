package io.strata.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SnapshotHandleTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "bak://pvc-1/backup-0123456789abcdef, Backup",
            "bs://pvc-1/backup-0123456789abcdef, Backup",
            "ss://pvc-1/snapshot-1234, Snapshot",
            "snap://pvc-1/snapshot-1234, Snapshot"})
    void everyKindParsesAndPrintsAsGiven(String text, String kind) {
        SnapshotHandle handle = SnapshotHandle.parse(text);
        assertThat(handle.getClass().getSimpleName()).isEqualTo(kind);
        assertThat(handle.value()).isEqualTo(text);
        switch (handle) {
            case SnapshotHandle.Backup b -> assertThat(b.volume()).isEqualTo("pvc-1");
            case SnapshotHandle.Snapshot s -> assertThat(s.snapshot()).isEqualTo(SnapshotName.of("snapshot-1234"));
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"pvc-1/backup-1", "bak://pvc-1", "bak://pvc-1/", "bak:///b", "bak://a/b/c", "bak://../b",
            "ss://pvc-1/../x", "nfs://pvc/b", "bak://pvc/b?x=1"})
    void malformedHandlesAreInvalidArguments(String text) {
        assertThatThrownBy(() -> SnapshotHandle.parse(text)).isExactlyInstanceOf(StrataException.InvalidArgument.class)
                .hasMessageStartingWith("invalid snapshot handle '" + text + "'");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"file:///x?backup=b&volume=v", "s3://bucket@us-east-1/?backup=b&volume=v", "ss://v/s"})
    void onlyBackupHandlesAreBackupHandles(String text) {
        assertThat(SnapshotHandle.parseBackup(text)).isEmpty();
    }
}
