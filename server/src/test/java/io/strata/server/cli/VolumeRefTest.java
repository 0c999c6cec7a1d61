package io.strata.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.domain.StrataException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class VolumeRefTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            db           | db  | -
            db@daily-1   | db  | daily-1
            a.b_c@x.y_z  | a.b_c | x.y_z
            """)
    void parses(String text, String volume, String snapshot) {
        VolumeRef ref = VolumeRef.parse(text);

        assertThat(ref.volume().value()).isEqualTo(volume);
        assertThat(ref.snapshot().map(Object::toString).orElse(null)).isEqualTo(snapshot);
        assertThat(ref).hasToString(text);
    }

    @ParameterizedTest(name = "''{0}''")
    @ValueSource(strings = {"", "@", "db@", "@snap", "db@a@b", "../db@s", "db@../s"})
    void rejects(String text) {
        assertThatThrownBy(() -> VolumeRef.parse(text)).isInstanceOf(StrataException.InvalidArgument.class);
    }
}
