package io.strata.nbd;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.engine.Extent;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Exports} must do for the server: the real adapter over the engine and the
 * fake both pass it.
 */
abstract class ExportsContract {
    static final long SIZE = 16L << 20;

    /** Exports holding a read-write export {@code rw} and a read-only one {@code ro}, both of {@link #SIZE} bytes. */
    abstract Exports exports() throws Exception;

    @Test
    void unknownNamesOpenNothing() throws Exception {
        Exports exports = exports();
        for (String name : new String[] {"missing", "", "../rw", "rw@", "rw@missing", "@", "r w", "rw/x"}) {
            assertThat(exports.open(name)).as(name).isEmpty();
        }
    }

    @Test
    void opensWithSizeAndMode() throws Exception {
        Exports exports = exports();
        try (Export rw = exports.open("rw").orElseThrow(); Export ro = exports.open("ro").orElseThrow()) {
            assertThat(rw.name()).isEqualTo("rw");
            assertThat(rw.readOnly()).isFalse();
            assertThat(rw.device().size()).isEqualTo(SIZE);
            assertThat(ro.readOnly()).isTrue();
            assertThat(ro.device().size()).isEqualTo(SIZE);
        }
    }

    @Test
    void namesListBoth() throws Exception {
        assertThat(exports().names()).contains("rw", "ro");
    }

    @Test
    void leasesOnOneNameShareTheirData() throws Exception {
        Exports exports = exports();
        try (Export a = exports.open("rw").orElseThrow(); Export b = exports.open("rw").orElseThrow()) {
            a.device().writeAt(ByteBuffer.wrap(new byte[] {1, 2, 3}), 4096);
            ByteBuffer read = ByteBuffer.allocate(3);
            b.device().readAt(read, 4096);
            assertThat(read.array()).containsExactly(1, 2, 3);
            b.device().flush();
        }
    }

    @Test
    void allocationNeverLeavesOutData() throws Exception {
        Exports exports = exports();
        Random random = new Random(11);
        try (Export export = exports.open("rw").orElseThrow()) {
            for (int i = 0; i < 50; i++) {
                int length = 1 + random.nextInt(20_000);
                long offset = random.nextLong(SIZE - length);
                byte[] data = new byte[length];
                random.nextBytes(data);
                data[0] = 1; // never all zero
                export.device().writeAt(ByteBuffer.wrap(data), offset);
                assertThat(covered(export.allocated(offset, length), offset, length)).as("%d+%d", offset, length).isTrue();
                assertThat(covered(export.allocated(0, SIZE), offset, length)).as("whole: %d+%d", offset, length).isTrue();
            }
            List<Extent> extents = export.allocated(0, SIZE);
            for (int i = 1; i < extents.size(); i++) {
                assertThat(extents.get(i).offset()).isGreaterThan(extents.get(i - 1).end() - 1);
            }
        }
    }

    private static boolean covered(List<Extent> extents, long offset, long length) {
        long pos = offset;
        for (Extent e : extents) {
            if (e.offset() <= pos && e.end() > pos) {
                pos = e.end();
            }
        }
        return pos >= offset + length;
    }

    @Test
    void aNameCanBeOpenedAgainAfterItsLeaseIsClosed() throws Exception {
        Exports exports = exports();
        Export ro = exports.open("ro").orElseThrow();
        ro.close();
        try (Export again = exports.open("ro").orElseThrow()) {
            assertThat(again.device().size()).isEqualTo(SIZE);
        }
    }
}
