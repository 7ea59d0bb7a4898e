package io.pocketsync.api.checksum;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.model.RowState;
import io.pocketsync.api.store.BatchPlan;
import io.pocketsync.api.store.RowKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What one batch changes in its scope's checksums: per table and bucket (of the {@link ChecksumLevel} the store
 * keeps), the change of the row count and of the
 * sums of the low and high 32 bits of the row hashes (a store adds these to what it keeps, in the batch's own
 * atomic write). Computed from the plan alone: for every row the batch writes, the hash of the state it replaces
 * is taken off and the hash of the new one added (tombstones count nothing).
 *
 * <p>Keeping the two halves apart lets a store add with its own integer arithmetic without ever overflowing: each
 * half's sum is at most the bucket's row count times 2<sup>32</sup>.
 *
 * @param level the level of the buckets
 * @param entries the non-zero changes, one per table and bucket
 */
public record ChecksumDelta(ChecksumLevel level, List<Entry> entries) {
    /**
     * The change of one bucket.
     *
     * @param table the table
     * @param bucket the bucket, at the delta's level
     * @param count the change of its row count
     * @param low the change of the sum of the low 32 bits of its hashes
     * @param high the change of the sum of the high 32 bits of its hashes
     */
    public record Entry(String table, int bucket, long count, long low, long high) {}

    /**
     * Copies the entries.
     *
     * @param level the level of the buckets
     * @param entries the non-zero changes, one per table and bucket
     */
    public ChecksumDelta {
        requireNonNull(level, "level is null");
        entries = List.copyOf(entries);
    }

    /**
     * The change a planned batch makes to the fine level.
     *
     * @param plan the plan the store is about to write
     * @return the change; no entries when the batch changes no live row's content
     */
    public static ChecksumDelta of(BatchPlan plan) {
        return of(plan, IncomingHashes.none(), ChecksumLevel.FINE);
    }

    /**
     * The change a planned batch makes to one level, taking the hashes of incoming images from those computed ahead.
     *
     * @param plan the plan the store is about to write
     * @param incoming hashes of the batch's incoming images ({@link IncomingHashes#ahead})
     * @param level the level the store keeps
     * @return the change; no entries when the batch changes no live row's content
     */
    public static ChecksumDelta of(BatchPlan plan, IncomingHashes incoming, ChecksumLevel level) {
        Map<RowKey, @Nullable RowState> loaded = plan.loaded();
        int buckets = level.buckets();
        // per table: count, low and high change of each bucket, side by side (a batch of 1000 rows touches them all)
        Map<String, long[]> tables = new LinkedHashMap<>();
        IncomingHashes.Cursor ahead = incoming.cursor();
        @Nullable String lastTable = null;
        long[] tableSums = null;
        for (Map.Entry<RowKey, BatchPlan.Planned> row : plan.rows().entrySet()) {
            RowKey key = row.getKey();
            // a row whose first sequence this batch assigned was created by it: nothing stored before (no lookup)
            RowState before = loaded.isEmpty() || row.getValue().firstAssigned() ? null : loaded.get(key);
            RowState after = row.getValue().state();
            boolean wasLive = before != null && !before.deleted();
            boolean isLive = !after.deleted();
            long oldHash = wasLive ? RowHash.of(key.table(), key.globalId(), before.row()) : 0;
            long newHash;
            int bucket;
            if (isLive && ahead.find(key, after.row())) {
                newHash = ahead.hash();
                bucket = ahead.bucket();
            }
            else {
                newHash = isLive ? RowHash.of(key.table(), key.globalId(), after.row()) : 0;
                bucket = -1;
            }
            if (wasLive == isLive && oldHash == newHash) {
                continue;
            }
            if (!key.table().equals(lastTable)) {
                // rows of one table mostly come together: one map lookup per run of them
                lastTable = key.table();
                tableSums = tables.computeIfAbsent(lastTable, table -> new long[3 * buckets]);
            }
            int at = 3 * level.of(bucket >= 0 ? bucket : RowHash.bucket(key.globalId()));
            tableSums[at] += (isLive ? 1 : 0) - (wasLive ? 1 : 0);
            tableSums[at + 1] += (newHash & 0xffff_ffffL) - (oldHash & 0xffff_ffffL);
            tableSums[at + 2] += (newHash >>> 32) - (oldHash >>> 32);
        }
        List<Entry> entries = new ArrayList<>();
        tables.forEach((table, sums) -> {
            for (int bucket = 0; bucket < buckets; bucket++) {
                int at = 3 * bucket;
                if (sums[at] != 0 || sums[at + 1] != 0 || sums[at + 2] != 0) {
                    entries.add(new Entry(table, bucket, sums[at], sums[at + 1], sums[at + 2]));
                }
            }
        });
        return new ChecksumDelta(level, entries);
    }

    /**
     * Whether the batch changes no checksum.
     *
     * @return true when there is nothing to add
     */
    public boolean isEmpty() {
        return entries.isEmpty();
    }
}
