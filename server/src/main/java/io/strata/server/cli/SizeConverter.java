package io.strata.server.cli;

import io.strata.domain.ByteSize;
import picocli.CommandLine.ITypeConverter;

/** Offsets and byte counts: bytes or a number with Ki, Mi, Gi or Ti, by {@link ByteSize#parse}'s one grammar. */
final class SizeConverter implements ITypeConverter<Long> {
    /** How the sizes of volumes are typed, for the help of every option that takes one. */
    static final String VOLUME_SIZE_HELP = "bytes or a number with Ki, Mi, Gi or Ti (binary units; 1.5Gi is exact),"
            + " a multiple of 4Ki; decimal units such as 10G or 10GB are refused";

    @Override
    public Long convert(String value) {
        return ByteSize.parse(value);
    }

    /** A volume's size: the same grammar, and a positive multiple of 4 KiB, exactly as the REST API's {@code size} field. */
    static final class VolumeSize implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            return ByteSize.parseVolumeSize(value);
        }
    }
}
