package io.strata.backupstore.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.domain.StrataException;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BackupUrlTest {
    @Test
    void encodesLikeLonghornWithSortedKeys() {
        assertThat(BackupUrl.of("s3://bucket@us-east-1/path/", "pvc-1", "backup-0123456789abcdef").encode())
                .isEqualTo("s3://bucket@us-east-1/path/?backup=backup-0123456789abcdef&volume=pvc-1");
        assertThat(BackupUrl.of("nfs://server:/export?nfsOptions=soft", "pvc-1", "b1").encode())
                .isEqualTo("nfs://server:/export?backup=b1&nfsOptions=soft&volume=pvc-1");
        assertThat(new BackupUrl("file:///backups", "pvc-1", Optional.empty()).encode()).isEqualTo("file:///backups?volume=pvc-1");
    }

    @Test
    void decodingGivesBackTheTargetWithItsOwnKeys() {
        BackupUrl url = BackupUrl.decode("nfs://server:/export?backup=b1&nfsOptions=soft&volume=pvc-1");
        assertThat(url.target()).isEqualTo("nfs://server:/export?nfsOptions=soft");
        assertThat(url.volume()).isEqualTo("pvc-1");
        assertThat(url.backup()).contains("b1");
        assertThat(BackupUrl.decode(url.encode())).isEqualTo(url);
        assertThat(BackupUrl.decode("vfs:///b?volume=pvc-1").backup()).isEmpty();
    }

    @Test
    void peopleAreShownTheVfsSpellingLonghornTakesAndEitherIsTheSameTarget() {
        assertThat(BackupUrl.of("file:///backups", "pvc-1", "b1").forLonghorn()).isEqualTo("vfs:///backups?backup=b1&volume=pvc-1");
        assertThat(BackupUrl.of("vfs:///backups", "pvc-1", "b1").forLonghorn()).isEqualTo("vfs:///backups?backup=b1&volume=pvc-1");
        assertThat(BackupUrl.of("s3://bucket@r/p/", "pvc-1", "b1").forLonghorn()).isEqualTo("s3://bucket@r/p/?backup=b1&volume=pvc-1");
        assertThat(BackupUrl.of("nfs://server:/export", "pvc-1", "b1").forLonghorn()).startsWith("nfs://server:/export?");
        assertThat(BackupUrl.sameTarget("file:///backups", "vfs:///backups")).isTrue();
        assertThat(BackupUrl.sameTarget("vfs:///backups ", "file:///backups")).isTrue();
        assertThat(BackupUrl.sameTarget("file:///backups", "file:///other")).isFalse();
        assertThat(BackupUrl.sameTarget("s3://b@r/p/", "vfs://b@r/p/")).isFalse();
    }

    @Test
    void badUrlsSayWhatIsExpected() {
        assertThatThrownBy(() -> BackupUrl.decode("s3://bucket@r/p")).isExactlyInstanceOf(StrataException.InvalidArgument.class)
                .hasMessage("'s3://bucket@r/p' is not a backup URL: expected TARGET?backup=NAME&volume=VOLUME");
        assertThatThrownBy(() -> BackupUrl.decode("s3://b@r/p?backup=x")).isExactlyInstanceOf(StrataException.InvalidArgument.class)
                .hasMessageContaining("names no volume");
        assertThatThrownBy(() -> BackupUrl.decode("s3://b@r/p?backup=x&volume=../etc"))
                .isExactlyInstanceOf(StrataException.InvalidArgument.class);
    }
}
