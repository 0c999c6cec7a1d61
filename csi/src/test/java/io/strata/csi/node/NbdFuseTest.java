package io.strata.csi.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** How nbdfuse is told where the export is. */
class NbdFuseTest {

    @Test
    void theUriEscapesTheExportAndTheSocket() {
        assertThat(NbdFuse.uri("growable:pvc-1", Path.of("/var/lib/strata data/nbd.sock")))
                .isEqualTo("nbd+unix:///growable%3Apvc-1?socket=/var/lib/strata%20data/nbd.sock");
        assertThat(NbdFuse.uri("growable:v", Path.of("/d/\u00e9/n.sock"))).endsWith("socket=/d/%C3%A9/n.sock");
    }

    @Test
    void itsFileLivesInTheWorkDirectory() {
        assertThat(NbdFuse.file(Path.of("/data/node/pvc-1"))).isEqualTo(Path.of("/data/node/pvc-1/fuse/volume"));
    }
}
