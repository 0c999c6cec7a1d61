package io.strata.backupstore;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class DataRunsTest {
    private static final int PAGE = DataRuns.PAGE;

    @Test
    void runsCoverExactlyThePagesThatHoldData() {
        byte[] block = new byte[2 << 20];
        assertThat(DataRuns.of(block, block.length)).isEmpty();
        assertThat(DataRuns.isZero(block, block.length)).isTrue();
        block[0] = 1;                      // page 0
        block[3 * PAGE + PAGE - 1] = 1;    // page 3, its last byte
        block[4 * PAGE] = 1;               // page 4: joins page 3
        block[block.length - 1] = 1;       // the last page
        assertThat(DataRuns.of(block, block.length))
                .containsExactly(0, PAGE, 3 * PAGE, 5 * PAGE, block.length - PAGE, block.length);
        assertThat(DataRuns.isZero(block, block.length)).isFalse();
        assertThat(DataRuns.of(block, 3 * PAGE + 10)).as("a short last page").containsExactly(0, PAGE);
        assertThat(DataRuns.of(block, 3 * PAGE + PAGE)).containsExactly(0, PAGE, 3 * PAGE, 4 * PAGE);
    }

    @Test
    void randomBlocksAgreeWithAPageByPageLook() {
        Random random = new Random(9);
        for (int round = 0; round < 200; round++) {
            int length = 1 + random.nextInt(64 * PAGE);
            byte[] data = new byte[length];
            for (int i = random.nextInt(20); i > 0; i--) {
                data[random.nextInt(length)] = (byte) (1 + random.nextInt(255));
            }
            boolean[] covered = new boolean[length];
            int[] runs = DataRuns.of(data, length);
            for (int i = 0; i < runs.length; i += 2) {
                assertThat(runs[i] % PAGE).isZero();
                assertThat(runs[i + 1]).isGreaterThan(runs[i]).isLessThanOrEqualTo(length);
                if (i > 0) {
                    assertThat(runs[i]).as("runs are apart").isGreaterThan(runs[i - 1]);
                }
                for (int b = runs[i]; b < runs[i + 1]; b++) {
                    covered[b] = true;
                }
            }
            for (int page = 0; page < length; page += PAGE) {
                boolean data0 = false;
                for (int b = page; b < Math.min(length, page + PAGE); b++) {
                    data0 |= data[b] != 0;
                }
                assertThat(covered[page]).as("page at %d of %d", page, length).isEqualTo(data0);
            }
        }
    }
}
