package io.pocketsync.device;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.checksum.ChecksumLevel;
import io.pocketsync.api.checksum.RowHash;
import io.pocketsync.api.checksum.TableChecksum;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.protocol.Checksums;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One table's row-by-row comparison within a checksum verification (docs/protocol.md 4.3), once its table checksums
 * differ: the differing buckets are asked for in questions of at most {@link #ROWS_PER_QUESTION} rows (both sides'
 * counts), and each answer's row hashes are compared with the device's; the rows that differ, leaving out rows with
 * unsettled changes, are then fetched at most {@link #ROWS_PER_FETCH} at a time, and the rows each repair confirmed
 * different are counted. The questions themselves are the {@link ChecksumVerifier}'s to send.
 *
 * <p>Engine thread only.
 */
final class TableComparison {
    /** Rows (both sides) one bucket question should cover at most, so that answers stay small. */
    static final long ROWS_PER_QUESTION = 4000;
    /** Rows one repair question asks for at most (the server's bound). */
    static final int ROWS_PER_FETCH = 1000;

    private final String table;
    private final TableChecksum mine;
    private final Set<String> unsettled;
    private final Deque<List<Integer>> bucketChunks = new ArrayDeque<>();
    private List<Integer> buckets = List.of();
    private final Set<String> differing = new LinkedHashSet<>();
    private @Nullable Deque<List<String>> fetches;
    private List<String> fetching = List.of();
    private int confirmed;

    /**
     * @param mine the device's checksum of the table (a result reports it as compared, before any repair)
     * @param theirs the server's checksum of the table
     * @param differingBuckets the buckets whose count or sum differ, not empty
     * @param unsettled rows with unsettled changes (pending local changes, parked remote ones): they differ by design
     */
    TableComparison(String table, TableChecksum mine, TableChecksum theirs, List<Integer> differingBuckets,
            Set<String> unsettled) {
        this.table = requireNonNull(table, "table is null");
        this.mine = requireNonNull(mine, "mine is null");
        this.unsettled = requireNonNull(unsettled, "unsettled is null");
        List<Integer> chunk = new ArrayList<>();
        long rows = 0;
        for (int bucket : differingBuckets) {
            long size = mine.bucketCount(bucket) + theirs.bucketCount(bucket);
            if (!chunk.isEmpty() && rows + size > ROWS_PER_QUESTION) {
                bucketChunks.add(chunk);
                chunk = new ArrayList<>();
                rows = 0;
            }
            chunk.add(bucket);
            rows += size;
        }
        bucketChunks.add(chunk);
    }

    /**
     * The fine buckets whose count or sum differ, inside some coarse buckets only: a bucket outside the coarse buckets
     * that differ holds the same rows on both sides (its coarse sums matched), whatever a scan answered meanwhile.
     *
     * @param mine the device's fine checksum of the table
     * @param theirs the server's fine checksum of it
     * @param withinCoarse the coarse buckets that differ; null for every bucket (a server that sent fine checksums)
     * @return the fine buckets, ascending
     */
    static List<Integer> differingBuckets(TableChecksum mine, TableChecksum theirs, @Nullable List<Integer> withinCoarse) {
        List<Integer> buckets = mine.differingBuckets(theirs);
        if (withinCoarse != null) {
            buckets.removeIf(bucket -> !withinCoarse.contains(ChecksumLevel.COARSE.of(bucket)));
        }
        return buckets;
    }

    String table() {
        return table;
    }

    /** The buckets to ask the row hashes of next, or null when every differing bucket was asked. */
    @Nullable List<Integer> nextBuckets() {
        List<Integer> next = bucketChunks.poll();
        if (next != null) {
            buckets = next;
        }
        return next;
    }

    /** The buckets of the last bucket question. */
    List<Integer> buckets() {
        return buckets;
    }

    /**
     * The server's row hashes of the last bucket question: the rows whose hash differs from {@code local}'s (or that
     * one side lacks), in those buckets and without unsettled changes, are to be fetched.
     *
     * @param local the device's row hashes of the same buckets, by global id
     */
    void hashesAnswered(Map<String, Long> local, Checksums answer) {
        Map<String, Long> theirs = new HashMap<>();
        for (int i = 0; i < answer.globalIds().size(); i++) {
            theirs.put(answer.globalIds().get(i), answer.hashes().get(i));
        }
        Set<String> gids = new LinkedHashSet<>(theirs.keySet());
        gids.addAll(local.keySet());
        for (String gid : gids) {
            if (!Objects.equals(local.get(gid), theirs.get(gid)) && !unsettled.contains(gid)
                    && buckets.contains(RowHash.bucket(gid))) {
                differing.add(gid);
            }
        }
    }

    /**
     * The rows to fetch the server's state of next, once every bucket was asked; null when all were fetched (or none
     * differed but rows with unsettled changes, which is expected until they are pushed).
     */
    @Nullable List<String> nextFetch() {
        if (fetches == null) {
            fetches = new ArrayDeque<>();
            List<String> all = new ArrayList<>(differing);
            for (int start = 0; start < all.size(); start += ROWS_PER_FETCH) {
                fetches.add(all.subList(start, Math.min(all.size(), start + ROWS_PER_FETCH)));
            }
        }
        List<String> next = fetches.poll();
        if (next != null) {
            fetching = next;
        }
        return next;
    }

    /** The rows of the last fetch that the server's answer does not hold: the server has none of them (deleted). */
    Set<String> notReturned(List<Change> rows) {
        Set<String> unknown = new LinkedHashSet<>(fetching);
        for (Change row : rows) {
            unknown.remove(row.globalId());
        }
        return unknown;
    }

    /** Counts rows a fetch's repair confirmed different from the server. */
    void confirmed(int rows) {
        confirmed += rows;
    }

    /** Rows confirmed different so far. */
    int confirmed() {
        return confirmed;
    }

    /**
     * How the table compared, once every fetch was answered: a match when no row was confirmed different.
     *
     * @param repair whether the confirmed rows were written to match the server
     */
    TableVerification result(boolean repair) {
        TableVerification.Outcome outcome = confirmed == 0 ? TableVerification.Outcome.MATCH
                : repair ? TableVerification.Outcome.REPAIRED : TableVerification.Outcome.MISMATCH;
        return new TableVerification(table, mine.count(), mine.sum(), outcome, confirmed, repair ? confirmed : 0);
    }
}
