package io.strata.backupstore.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.domain.StrataException;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StoreLayoutTest {
    private static final String ZERO_BLOCK = "731859029215873fdac1c9f2f8bd25a334abf0f3a9e1b057cf2cacc2826d86b0";

    @Test
    void theReferenceExampleVolumeLivesUnderD02f() {
        assertThat(StoreLayout.volumeDirectory("test-vol")).isEqualTo("backupstore/volumes/d0/2f/test-vol");
        assertThat(StoreLayout.volumeConfig("test-vol")).isEqualTo("backupstore/volumes/d0/2f/test-vol/volume.cfg");
        assertThat(StoreLayout.backupConfig("test-vol", "backup-0123456789abcdef"))
                .isEqualTo("backupstore/volumes/d0/2f/test-vol/backups/backup_backup-0123456789abcdef.cfg");
        assertThat(StoreLayout.lock("test-vol", "lock-0123456789abcdef"))
                .isEqualTo("backupstore/volumes/d0/2f/test-vol/locks/lock-0123456789abcdef.lck");
    }

    @Test
    void blocksAreFiledByTheirChecksum() {
        assertThat(StoreLayout.block("test-vol", ZERO_BLOCK))
                .isEqualTo("backupstore/volumes/d0/2f/test-vol/blocks/73/18/" + ZERO_BLOCK + ".blk");
        assertThat(StoreLayout.checksumOf(ZERO_BLOCK + ".blk")).contains(ZERO_BLOCK);
        assertThat(StoreLayout.checksumOf("../x.blk")).isEmpty();
    }

    @Test
    void theVolumeHashIsSha512OfTheName() throws Exception {
        Process sha = new ProcessBuilder("sh", "-c", "printf %s pvc-6f1c2a3e | sha512sum").start();
        String hex = new String(sha.getInputStream().readAllBytes()).substring(0, 4);
        assertThat(StoreLayout.volumeDirectory("pvc-6f1c2a3e"))
                .isEqualTo("backupstore/volumes/" + hex.substring(0, 2) + "/" + hex.substring(2, 4) + "/pvc-6f1c2a3e");
    }

    @Test
    void backupNamesComeOnlyFromWellFormedCfgNames() {
        assertThat(StoreLayout.backupNameOf("backup_backup-1.cfg")).isEqualTo(Optional.of("backup-1"));
        assertThat(StoreLayout.backupNameOf("backup_.cfg")).isEmpty();
        assertThat(StoreLayout.backupNameOf("backup_../x.cfg")).isEmpty();
        assertThat(StoreLayout.backupNameOf("volume.cfg")).isEmpty();
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {"", "a", "../x", "-x", "a/b", "a b"})
    void namesLonghornWouldNotListAreRefused(String name) {
        assertThatThrownBy(() -> StoreLayout.volumeDirectory(name)).isExactlyInstanceOf(StrataException.InvalidArgument.class)
                .hasMessageContaining("the backupstore takes 2 or more letters");
    }

    @Test
    void aChecksumThatIsNotOneNeverBecomesAPath() {
        assertThatThrownBy(() -> StoreLayout.block("v1", "../../etc/passwd")).isExactlyInstanceOf(StrataException.Corrupt.class);
        assertThatThrownBy(() -> StoreLayout.block("v1", ZERO_BLOCK.toUpperCase())).isExactlyInstanceOf(StrataException.Corrupt.class);
    }
}
