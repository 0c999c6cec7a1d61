package io.strata.nbd;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.engine.Extent;
import io.strata.nbd.protocol.BlockDescriptor;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AllocationTest {
    private static final int HOLE = Allocation.HOLE;
    private static final List<Extent> TWO = List.of(new Extent(4096, 4096), new Extent(16384, 8192));

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("nothing allocated", List.of(), 0L, 65536L, false, List.of(d(65536, HOLE))),
                Arguments.of("whole range", TWO, 0L, 32768L, false,
                        List.of(d(4096, HOLE), d(4096, 0), d(8192, HOLE), d(8192, 0), d(8192, HOLE))),
                Arguments.of("starts inside data", TWO, 6144L, 4096L, false, List.of(d(2048, 0), d(2048, HOLE))),
                Arguments.of("starts inside a hole", TWO, 10000L, 8000L, false, List.of(d(6384, HOLE), d(1616, 0))),
                Arguments.of("inside one extent", TWO, 17000L, 100L, false, List.of(d(100, 0))),
                Arguments.of("after the last extent", TWO, 24576L, 8192L, false, List.of(d(8192, HOLE))),
                Arguments.of("REQ_ONE", TWO, 0L, 32768L, true, List.of(d(4096, HOLE))),
                Arguments.of("touching extents merge", List.of(new Extent(0, 4096), new Extent(4096, 4096)), 0L, 8192L, false,
                        List.of(d(8192, 0))),
                Arguments.of("unsigned 32-bit length", List.of(), 0L, 0xffffffffL, false, List.of(d((int) 0xffffffffL, HOLE))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void describes(String name, List<Extent> allocated, long offset, long length, boolean one, List<BlockDescriptor> expected) {
        assertThat(Allocation.describe(allocated, offset, length, one, Allocation.MAX_DESCRIPTORS)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void descriptorsStayWithinTheRequest(String name, List<Extent> allocated, long offset, long length, boolean one,
                                         List<BlockDescriptor> expected) {
        long sum = Allocation.describe(allocated, offset, length, one, 2).stream()
                .mapToLong(d -> Integer.toUnsignedLong(d.length())).sum();
        assertThat(sum).isPositive().isLessThanOrEqualTo(length);
    }

    private static BlockDescriptor d(int length, int flags) {
        return new BlockDescriptor(length, flags);
    }
}
