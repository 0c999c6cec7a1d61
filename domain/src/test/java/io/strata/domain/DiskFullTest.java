package io.strata.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import org.junit.jupiter.api.Test;

class DiskFullTest {
    @Test
    void aFullDiskIsFoundAnywhereInTheCauseChain() {
        assertThat(DiskFull.causes(new IOException("No space left on device"))).isTrue();
        assertThat(DiskFull.causes(new FileSystemException("/data/v/layer-000001.data", null, "No space left on device"))).isTrue();
        assertThat(DiskFull.causes(new UncheckedIOException(new IOException("No space left on device")))).isTrue();
        assertThat(DiskFull.causes(new StrataException.Internal("restore failed", new IOException("No space left on device")))).isTrue();
        assertThat(DiskFull.causes(new IOException("Input/output error"))).isFalse();
        assertThat(DiskFull.causes(new IOException((String) null))).isFalse();
        IOException loop = new IOException("a");
        IOException other = new IOException("b", loop);
        loop.initCause(other);
        assertThat(DiskFull.causes(loop)).as("a cause cycle ends").isFalse();
    }
}
