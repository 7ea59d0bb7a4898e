package io.pocketsync.api.checksum;

import io.pocketsync.api.model.RowState;
import io.pocketsync.api.store.BatchPlan;
import io.pocketsync.api.store.RowKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What one batch changes in its scope's checksums: per table and bucket, the change of the row count and of the
 * sums of the low and high 32 bits of the row hashes (a store adds these to what it keeps, in the batch's own
 * atomic write). Computed from the plan alone: for every row the batch writes, the hash of the state it replaces
 * is taken off and the hash of the new one added (tombstones count nothing).
 *
 * <p>Keeping the two halves apart lets a store add with its own integer arithmetic without ever overflowing: each
 * half's sum is at most the bucket's row count times 2<sup>32</sup>.
 *
 * @param entries the non-zero changes, one per table and bucket
 */
public record ChecksumDelta(List<Entry> entries) {
    /**
     * The change of one bucket.
     *
     * @param table the table
     * @param bucket the bucket
     * @param count the change of its row count
     * @param low the change of the sum of the low 32 bits of its hashes
     * @param high the change of the sum of the high 32 bits of its hashes
     */
    public record Entry(String table, int bucket, long count, long low, long high) {}

    private record Bucket(String table, int bucket) {}

    /**
     * Copies the entries.
     *
     * @param entries the non-zero changes, one per table and bucket
     */
    public ChecksumDelta {
        entries = List.copyOf(entries);
    }

    /**
     * The change a planned batch makes.
     *
     * @param plan the plan the store is about to write
     * @return the change; no entries when the batch changes no live row's content
     */
    public static ChecksumDelta of(BatchPlan plan) {
        Map<RowKey, @Nullable RowState> loaded = plan.loaded();
        Map<Bucket, long[]> sums = new LinkedHashMap<>();
        for (Map.Entry<RowKey, BatchPlan.Planned> row : plan.rows().entrySet()) {
            RowKey key = row.getKey();
            RowState before = loaded.get(key);
            RowState after = row.getValue().state();
            long oldHash = before == null || before.deleted() ? 0 : RowHash.of(key.table(), key.globalId(), before.row());
            long newHash = after.deleted() ? 0 : RowHash.of(key.table(), key.globalId(), after.row());
            boolean wasLive = before != null && !before.deleted();
            boolean isLive = !after.deleted();
            if (wasLive == isLive && oldHash == newHash) {
                continue;
            }
            long[] bucket = sums.computeIfAbsent(new Bucket(key.table(), RowHash.bucket(key.globalId())), k -> new long[3]);
            bucket[0] += (isLive ? 1 : 0) - (wasLive ? 1 : 0);
            bucket[1] += (newHash & 0xffff_ffffL) - (oldHash & 0xffff_ffffL);
            bucket[2] += (newHash >>> 32) - (oldHash >>> 32);
        }
        List<Entry> entries = new ArrayList<>(sums.size());
        sums.forEach((key, value) -> {
            if (value[0] != 0 || value[1] != 0 || value[2] != 0) {
                entries.add(new Entry(key.table(), key.bucket(), value[0], value[1], value[2]));
            }
        });
        return new ChecksumDelta(entries);
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
