package io.strata.csi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DriverNameTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"driver.strata.io", "a", "9", "io.strata-csi.Driver2", "x-y.z", "a23456789012345678901234567890123456789012345678901234567890123"})
    void accepts(String name) {
        assertThat(new DriverName(name).value()).isEqualTo(name);
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {
        "",
        "a234567890123456789012345678901234567890123456789012345678901234", // 64 characters
        "-driver.strata.io",
        "driver.strata.io-",
        ".driver.strata.io",
        "driver.strata.io.",
        "driver..strata.io",
        "driver.-strata.io",
        "driver_strata.io",
        "driver strata.io",
        "driver/strata",
        "drïver.strata.io"
    })
    void refuses(String name) {
        assertThatThrownBy(() -> new DriverName(name))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("CSI driver name '" + name + "'");
    }
}
