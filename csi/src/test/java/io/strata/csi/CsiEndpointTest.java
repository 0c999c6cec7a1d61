package io.strata.csi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CsiEndpointTest {

    @Test
    void readsTheSpecsForm() {
        CsiEndpoint endpoint = CsiEndpoint.parse("unix:///var/lib/kubelet/plugins/driver.strata.io/csi.sock");

        assertThat(endpoint.socketPath()).isEqualTo(Path.of("/var/lib/kubelet/plugins/driver.strata.io/csi.sock"));
        assertThat(endpoint.url()).isEqualTo("unix:///var/lib/kubelet/plugins/driver.strata.io/csi.sock");
        assertThat(endpoint).hasToString(endpoint.url());
    }

    @Test
    void readsTheSingleSlashFormAndSurroundingBlanks() {
        assertThat(CsiEndpoint.parse("  unix:/csi/csi.sock\n").socketPath()).isEqualTo(Path.of("/csi/csi.sock"));
    }

    @Test
    void normalizesThePath() {
        assertThat(CsiEndpoint.parse("unix:///csi/./x/../csi.sock").socketPath()).isEqualTo(Path.of("/csi/csi.sock"));
    }

    static Stream<Arguments> badEndpoints() {
        String longPath = "unix:///" + "d".repeat(100) + "/csi.sock";
        return Stream.of(
                Arguments.of(Named.of("empty", ""), "is empty"),
                Arguments.of(Named.of("a bare path", "/csi/csi.sock"), "not a unix socket URL"),
                Arguments.of(Named.of("tcp", "tcp://127.0.0.1:10000"), "CSI serves only on unix sockets"),
                Arguments.of(Named.of("a host after unix://", "unix://csi/csi.sock"), "three slashes"),
                Arguments.of(Named.of("a relative path", "unix:csi.sock"), "absolute socket path"),
                Arguments.of(Named.of("the root directory", "unix:///"), "names no file"),
                Arguments.of(Named.of("a NUL byte", "unix:///csi/c\u0000.sock"), "not a valid path"),
                Arguments.of(Named.of("longer than sun_path", longPath), "at most 107"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badEndpoints")
    void refusesWithAClearMessage(String url, String expected) {
        assertThatThrownBy(() -> CsiEndpoint.parse(url))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(expected);
    }

    @Test
    void refusesNull() {
        assertThatThrownBy(() -> CsiEndpoint.parse(null)).hasMessageContaining("unix:///path/to/csi.sock");
    }

    @Test
    void refusesARelativePathGivenDirectly() {
        assertThatThrownBy(() -> new CsiEndpoint(Path.of("csi.sock"))).hasMessageContaining("relative");
    }
}
