package io.strata.domain;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.provider.Arguments;

/**
 * What people type as a volume size, and what every surface (ByteSize, the CLI, the REST API) must
 * make of it: the same bytes, or the same refusal. Shared through this module's test jar, so that
 * one table holds the rule for all of them.
 */
public final class SizeTable {
    private SizeTable() {}

    /** Accepted volume sizes: text and exact bytes. */
    public record Accepted(String text, long bytes) {}

    /** Refused volume sizes: text and a part of the message that says what to type instead. */
    public record Refused(String text, String says) {}

    public static final List<Accepted> ACCEPTED = List.of(
            new Accepted("4096", 4096),
            new Accepted("16Mi", 16L << 20),
            new Accepted("1Gi", 1L << 30),
            new Accepted("1GiB", 1L << 30),
            new Accepted("1.5Gi", 3L << 29),
            new Accepted("512 MiB", 512L << 20),
            new Accepted(" 3 gi ", 3L << 30),
            new Accepted("2Ti", 2L << 40),
            new Accepted("8192B", 8192),
            new Accepted("0.5Mi", 512L << 10));

    public static final List<Refused> REFUSED = List.of(
            new Refused("10GB", "write 10Gi (10737418240 bytes)"),
            new Refused("10G", "write 10Gi"),
            new Refused("1k", "write 1Ki"),
            new Refused("1.5Gb", "write 1.5Gi (1610612736 bytes)"),
            new Refused("1000", "multiple of 4 KiB"),
            new Refused("0", "positive multiple of 4 KiB"),
            new Refused("0.1Ki", "not a whole number of bytes"),
            new Refused("-1Gi", "give bytes or a number with Ki"),
            new Refused("lots", "give bytes or a number with Ki"),
            new Refused("1Qi", "give bytes or a number with Ki"),
            new Refused("1.5.2Gi", "give bytes or a number with Ki"),
            new Refused("Gi", "give bytes or a number with Ki"),
            new Refused("99999999999999999999Ti", "too large"));

    public static Stream<Arguments> accepted() {
        return ACCEPTED.stream().map(a -> Arguments.of(Named.of("'" + a.text() + "'", a.text()), a.bytes()));
    }

    public static Stream<Arguments> refused() {
        return REFUSED.stream().map(r -> Arguments.of(Named.of("'" + r.text() + "'", r.text()), r.says()));
    }
}
