package io.strata.server.ui;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/** Without Chromium the browser test fails under CI, which must install it, and is skipped elsewhere. */
class ChromiumRequirementTest {
    @TempDir
    Path tmp;

    @Test
    void aMissingBrowserFailsUnderCiAndSkipsElsewhere() throws Exception {
        Path present = Files.createFile(tmp.resolve("present"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Path missing = tmp.resolve("missing");
        assertThatThrownBy(() -> Chromium.require(missing, present, "true")).isInstanceOf(AssertionFailedError.class)
                .hasMessageContaining("chromium").hasMessageContaining(".ci/run");
        assertThatThrownBy(() -> Chromium.require(present, missing, "1")).isInstanceOf(AssertionFailedError.class)
                .hasMessageContaining("chromium-driver");
        assertThatThrownBy(() -> Chromium.require(missing, present, null)).isInstanceOf(TestAbortedException.class);
        assertThatThrownBy(() -> Chromium.require(missing, present, "false")).isInstanceOf(TestAbortedException.class);
        assertThatCode(() -> Chromium.require(present, present, "true")).doesNotThrowAnyException();
    }
}
