package io.pocketsync.device;

import static org.assertj.core.api.Assertions.assertThat;

import io.pocketsync.api.checksum.RowHash;
import io.pocketsync.api.checksum.TableChecksum;
import io.pocketsync.api.protocol.Checksums;
import io.pocketsync.api.protocol.ProtocolVersion;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** One table's row-by-row comparison: bucket questions, differing rows, fetches and the table's outcome. */
class TableComparisonTest {
    private static final TableChecksum EMPTY = TableChecksum.empty("todo");

    @Test
    void bucketsAreAskedInQuestionsOfAtMostRowsPerQuestionRowsAndABigBucketAlone() {
        TableChecksum mine = new TableChecksum.Builder("todo").addHalves(1, 2000, 0, 0).addHalves(2, 1000, 0, 0)
                .addHalves(3, 1000, 0, 0).addHalves(4, 9000, 0, 0).addHalves(5, 1, 0, 0).build();
        TableChecksum theirs = new TableChecksum.Builder("todo").addHalves(1, 1000, 0, 0).addHalves(2, 500, 0, 0)
                .addHalves(3, 1500, 0, 0).build();
        TableComparison comparison = new TableComparison("todo", mine, theirs, List.of(1, 2, 3, 4, 5), Set.of());

        // 3000 rows; 3000 + 1500 > 4000 starts a new question, 1500 + 2500 = 4000 fits; 9000 rows go alone
        List<List<Integer>> questions = new ArrayList<>();
        for (List<Integer> buckets = comparison.nextBuckets(); buckets != null; buckets = comparison.nextBuckets()) {
            questions.add(buckets);
            assertThat(comparison.buckets()).isEqualTo(buckets);
        }
        assertThat(questions).containsExactly(List.of(1), List.of(2, 3), List.of(4), List.of(5));
        assertThat(TableComparison.ROWS_PER_QUESTION).isEqualTo(4000);
    }

    @Test
    void fineBucketsAreComparedOnlyInsideTheCoarseBucketsThatDiffer() {
        // fine buckets 17 (coarse 1), 40 (coarse 2) and 255 (coarse 15) differ; only coarse 1 and 15 were found differing
        TableChecksum mine = new TableChecksum.Builder("todo").addHalves(17, 1, 5, 0).addHalves(40, 1, 6, 0)
                .addHalves(255, 2, 7, 0).build();
        TableChecksum theirs = new TableChecksum.Builder("todo").addHalves(255, 1, 7, 0).build();

        assertThat(mine.coarse().differingBuckets(theirs.coarse())).containsExactly(1, 2, 15);
        assertThat(TableComparison.differingBuckets(mine, theirs, List.of(1, 15))).containsExactly(17, 255);
        assertThat(TableComparison.differingBuckets(mine, theirs, null)).as("a server that sent fine checksums at once")
                .containsExactly(17, 40, 255);
    }

    @Test
    void rowsDifferingInTheAskedBucketsAreFetchedLeavingOutUnsettledOnes() {
        Map<Integer, String> byBucket = gidsInDistinctBuckets(5);
        List<String> gids = new ArrayList<>(byBucket.values());
        String same = gids.get(0);
        String changed = gids.get(1);
        String onlyMine = gids.get(2);
        String unsettled = gids.get(3);
        String notAsked = gids.get(4);
        List<Integer> asked = List.of(RowHash.bucket(same), RowHash.bucket(changed), RowHash.bucket(onlyMine),
                RowHash.bucket(unsettled));
        TableComparison comparison = new TableComparison("todo", EMPTY, EMPTY, asked, Set.of(unsettled));
        assertThat(comparison.nextBuckets()).isEqualTo(asked);

        Map<String, Long> local = new LinkedHashMap<>();
        local.put(same, 1L);
        local.put(changed, 2L);
        local.put(onlyMine, 3L);
        local.put(unsettled, 4L);
        comparison.hashesAnswered(local, hashes(List.of(same, changed, unsettled, notAsked), List.of(1L, 20L, 40L, 50L)));

        assertThat(comparison.nextBuckets()).isNull();
        assertThat(comparison.nextFetch()).containsExactlyInAnyOrder(changed, onlyMine);
        assertThat(comparison.notReturned(List.of())).containsExactlyInAnyOrder(changed, onlyMine);
        assertThat(comparison.nextFetch()).isNull();
    }

    @Test
    void manyDifferingRowsAreFetchedAtMostRowsPerFetchAtATime() {
        List<String> rows = new ArrayList<>();
        List<Long> hashes = new ArrayList<>();
        for (int i = 0; i < 2500; i++) {
            rows.add("row-" + i);
            hashes.add((long) i);
        }
        List<Integer> all = new ArrayList<>();
        for (int bucket = 0; bucket < RowHash.BUCKETS; bucket++) {
            all.add(bucket);
        }
        TableComparison comparison = new TableComparison("todo", EMPTY, EMPTY, all, Set.of());
        assertThat(comparison.nextBuckets()).hasSize(RowHash.BUCKETS); // the counts are 0: one question
        comparison.hashesAnswered(Map.of(), hashes(rows, hashes));
        assertThat(comparison.nextBuckets()).isNull();

        List<String> fetched = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        for (List<String> fetch = comparison.nextFetch(); fetch != null; fetch = comparison.nextFetch()) {
            sizes.add(fetch.size());
            fetched.addAll(fetch);
        }
        assertThat(sizes).containsExactly(TableComparison.ROWS_PER_FETCH, TableComparison.ROWS_PER_FETCH, 500);
        assertThat(fetched).containsExactlyInAnyOrderElementsOf(rows);
    }

    @Test
    void theResultIsAMatchUnlessRowsWereConfirmedDifferent() {
        TableChecksum mine = new TableChecksum.Builder("todo").add("g1", 7).add("g2", 8).build();
        TableComparison comparison = new TableComparison("todo", mine, EMPTY, List.of(0), Set.of());
        assertThat(comparison.result(true)).isEqualTo(new TableVerification("todo", 2, 15, TableVerification.Outcome.MATCH,
                0, 0));

        comparison.confirmed(2);
        comparison.confirmed(1);
        assertThat(comparison.confirmed()).isEqualTo(3);
        assertThat(comparison.result(true)).isEqualTo(new TableVerification("todo", 2, 15,
                TableVerification.Outcome.REPAIRED, 3, 3));
        assertThat(comparison.result(false)).isEqualTo(new TableVerification("todo", 2, 15,
                TableVerification.Outcome.MISMATCH, 3, 0));
    }

    private static Checksums hashes(List<String> gids, List<Long> hashes) {
        return new Checksums(ProtocolVersion.CURRENT, 1, 10, List.of(), gids, hashes, List.of(), List.of());
    }

    /** Global ids that fall in as many different buckets. */
    private static Map<Integer, String> gidsInDistinctBuckets(int count) {
        Map<Integer, String> byBucket = new TreeMap<>();
        for (int i = 0; byBucket.size() < count; i++) {
            byBucket.putIfAbsent(RowHash.bucket("g" + i), "g" + i);
        }
        return byBucket;
    }
}
