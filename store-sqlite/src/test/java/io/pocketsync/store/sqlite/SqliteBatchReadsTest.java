package io.pocketsync.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SqliteBatchReadsTest {
    @Test
    void chunksCoverEveryRowWithFewDistinctSizes() {
        for (int count = 0; count <= 300; count++) {
            List<Integer> sizes = SqliteBatchReads.chunkSizes(count, 64);

            assertThat(sizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(count);
            assertThat(sizes).allSatisfy(size -> assertThat(Integer.bitCount(size)).isOne())
                    .allSatisfy(size -> assertThat(size).isBetween(1, 64));
        }
        assertThat(SqliteBatchReads.chunkSizes(100, 64)).containsExactly(64, 32, 4);
    }
}
