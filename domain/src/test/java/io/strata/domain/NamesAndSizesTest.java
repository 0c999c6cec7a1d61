package io.strata.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class NamesAndSizesTest {

    @ParameterizedTest(name = "valid: {0}")
    @ValueSource(strings = {"a", "vol-1", "snapshot-6f1c2a3e-1b2c-4d5e-8f90-123456789abc", "A.b_c-9", "0start",
            "x23456789012345678901234567890123456789012345678901234567890123"})
    void acceptsValidNames(String name) {
        assertThat(VolumeName.of(name).value()).isEqualTo(name);
        assertThat(SnapshotName.of(name).value()).isEqualTo(name);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "path traversal|../x|invalid volume name '../x': use only letters, digits, '-', '_' or '.', starting with a letter or digit",
            "slash|a/b|invalid volume name 'a/b': use only letters, digits, '-', '_' or '.', starting with a letter or digit",
            "leading dot|.hidden|invalid volume name '.hidden': use only letters, digits, '-', '_' or '.', starting with a letter or digit",
            "leading dash|-x|invalid volume name '-x': use only letters, digits, '-', '_' or '.', starting with a letter or digit",
            "space|a b|invalid volume name 'a b': use only letters, digits, '-', '_' or '.', starting with a letter or digit",
            "empty|''|volume name is empty: give 1-63 letters, digits, '-', '_' or '.', starting with a letter or digit",
            "64 chars|x234567890123456789012345678901234567890123456789012345678901234|volume name 'x234567890123456789012345678901234567890123456789012345678901234' is 64 characters long: at most 63 are allowed",
    })
    void rejectsBadNamesWithAClearMessage(String why, String name, String message) {
        assertThatThrownBy(() -> VolumeName.of(name)).isExactlyInstanceOf(StrataException.InvalidArgument.class)
                .hasMessage(message);
        assertThatThrownBy(() -> SnapshotName.of(name)).isExactlyInstanceOf(StrataException.InvalidArgument.class)
                .hasMessage(message.replace("volume", "snapshot"));
    }

    @org.junit.jupiter.api.Test
    void rejectsNull() {
        assertThatThrownBy(() -> VolumeName.of(null)).isExactlyInstanceOf(StrataException.InvalidArgument.class);
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource({"4096,4096", "1Ki,1024", "512KiB,524288", "1Mi,1048576", "1Gi,1073741824", "2Ti,2199023255552", "0,0",
            "1.5Gi,1610612736", "0.5Ki,512", "100B,100", "1000,1000", "1 mi,1048576"})
    void parsesSizes(String text, long bytes) {
        assertThat(ByteSize.parse(text)).isEqualTo(bytes);
    }

    @ParameterizedTest(name = "bad size [{0}]")
    @ValueSource(strings = {"", "-1", "12Xi", "1.3Ki", "Gi", "1 G", "99999999999999999999", "9999999999Ti", "1e3", "1,5Gi", "0x10"})
    void rejectsBadSizes(String text) {
        assertThatThrownBy(() -> ByteSize.parse(text)).isExactlyInstanceOf(StrataException.InvalidArgument.class)
                .hasMessageContaining("size");
    }

    @ParameterizedTest(name = "volume size {0} = {1}")
    @MethodSource("io.strata.domain.SizeTable#accepted")
    void acceptsTheVolumeSizesOfTheSharedTable(String text, long bytes) {
        assertThat(ByteSize.parseVolumeSize(text)).isEqualTo(bytes);
    }

    @ParameterizedTest(name = "volume size {0} is refused")
    @MethodSource("io.strata.domain.SizeTable#refused")
    void refusesTheVolumeSizesOfTheSharedTableSayingWhatToType(String text, String says) {
        assertThatThrownBy(() -> ByteSize.parseVolumeSize(text)).isExactlyInstanceOf(StrataException.InvalidArgument.class)
                .hasMessageContaining(says);
    }

    @ParameterizedTest(name = "{0} prints as {1}")
    @CsvSource({"1073741824,1Gi", "1610612736,1536Mi", "4097,4097", "0,0"})
    void formatsSizes(long bytes, String text) {
        assertThat(ByteSize.format(bytes)).isEqualTo(text);
        assertThat(ByteSize.parse(text)).isEqualTo(bytes);
    }
}
