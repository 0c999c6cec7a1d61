package io.strata.server.cli;

import io.strata.domain.ByteSize;
import picocli.CommandLine.ITypeConverter;

/** Sizes and offsets: bytes or a number with Ki, Mi, Gi or Ti. */
final class SizeConverter implements ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
        return ByteSize.parse(value);
    }
}
