package io.pocketsync.api.checksum;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The checksum of one table's live rows: per bucket ({@link RowHash#bucket}, or at the {@link ChecksumLevel#COARSE
 * coarse level} per 16 of them) the number of rows and the sum modulo 2<sup>64</sup> of their {@link RowHash row
 * hashes}; the table's checksum is the sum over the buckets.
 * Order-independent, so a store keeps it up to date in O(1) per written row (subtract the old hash, add the new)
 * and any two sides holding the same rows compute the same value. Tombstones count nothing.
 *
 * <p>Immutable; use {@link Builder} to add rows up.
 */
public final class TableChecksum {
    private final String table;
    private final ChecksumLevel level;
    private final long[] counts;
    private final long[] sums;

    private TableChecksum(String table, long[] counts, long[] sums) {
        this.table = requireNonNull(table, "table is null");
        this.level = ChecksumLevel.ofBuckets(counts.length);
        if (sums.length != counts.length) {
            throw new IllegalArgumentException("a table checksum has as many bucket sums as bucket counts");
        }
        this.counts = counts;
        this.sums = sums;
    }

    /**
     * A checksum from its buckets' counts and sums, at the level their length is of.
     *
     * @param table the table
     * @param counts rows per bucket, {@link RowHash#BUCKETS} entries (fine) or 16 (coarse) (copied)
     * @param sums hash sums per bucket, as many (copied)
     * @return the checksum
     * @throws IllegalArgumentException when the arrays differ in length or have a length of no level
     */
    public static TableChecksum of(String table, long[] counts, long[] sums) {
        return new TableChecksum(table, counts.clone(), sums.clone());
    }

    /**
     * The table.
     *
     * @return its name
     */
    public String table() {
        return table;
    }

    /**
     * The level of its buckets.
     *
     * @return fine ({@link RowHash#BUCKETS} buckets) or coarse (16)
     */
    public ChecksumLevel level() {
        return level;
    }

    /**
     * The same checksum at the coarse level: each coarse bucket adds up the 16 fine ones it covers.
     *
     * @return this when already coarse
     */
    public TableChecksum coarse() {
        if (level == ChecksumLevel.COARSE) {
            return this;
        }
        long[] coarseCounts = new long[ChecksumLevel.COARSE.buckets()];
        long[] coarseSums = new long[ChecksumLevel.COARSE.buckets()];
        for (int bucket = 0; bucket < counts.length; bucket++) {
            coarseCounts[ChecksumLevel.COARSE.of(bucket)] += counts[bucket];
            coarseSums[ChecksumLevel.COARSE.of(bucket)] += sums[bucket];
        }
        return new TableChecksum(table, coarseCounts, coarseSums);
    }

    /**
     * Live rows in the table.
     *
     * @return the count
     */
    public long count() {
        long total = 0;
        for (long count : counts) {
            total += count;
        }
        return total;
    }

    /**
     * The table's checksum: the sum of all its row hashes modulo 2<sup>64</sup>.
     *
     * @return the sum as a signed 64-bit value
     */
    public long sum() {
        long total = 0;
        for (long sum : sums) {
            total += sum;
        }
        return total;
    }

    /**
     * Live rows in one bucket.
     *
     * @param bucket 0 to {@link #level()}{@code .buckets() - 1}
     * @return the count
     */
    public long bucketCount(int bucket) {
        return counts[bucket];
    }

    /**
     * The hash sum of one bucket.
     *
     * @param bucket 0 to {@link #level()}{@code .buckets() - 1}
     * @return the sum modulo 2<sup>64</sup>
     */
    public long bucketSum(int bucket) {
        return sums[bucket];
    }

    /**
     * Whether both hold the same rows as far as the checksum can tell (table count and sum).
     *
     * @param other the other side's checksum of the same table
     * @return true when count and sum are equal
     */
    public boolean matches(TableChecksum other) {
        return count() == other.count() && sum() == other.sum();
    }

    /**
     * The buckets whose count or sum differ.
     *
     * @param other the other side's checksum of the same table, at the same level
     * @return the bucket numbers, ascending
     * @throws IllegalArgumentException when the levels differ
     */
    public List<Integer> differingBuckets(TableChecksum other) {
        if (other.level != level) {
            throw new IllegalArgumentException("checksums of two levels do not compare bucket by bucket");
        }
        List<Integer> buckets = new ArrayList<>();
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] != other.counts[i] || sums[i] != other.sums[i]) {
                buckets.add(i);
            }
        }
        return buckets;
    }

    /**
     * An empty checksum: a table without live rows.
     *
     * @param table the table
     * @return the checksum, at the fine level
     */
    public static TableChecksum empty(String table) {
        return empty(table, ChecksumLevel.FINE);
    }

    /**
     * An empty checksum at a level: a table without live rows.
     *
     * @param table the table
     * @param level the level
     * @return the checksum
     */
    public static TableChecksum empty(String table, ChecksumLevel level) {
        return new TableChecksum(table, new long[level.buckets()], new long[level.buckets()]);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TableChecksum other && table.equals(other.table) && level == other.level
                && Arrays.equals(counts, other.counts)
                && Arrays.equals(sums, other.sums);
    }

    @Override
    public int hashCode() {
        return table.hashCode() * 31 + Arrays.hashCode(sums);
    }

    @Override
    public String toString() {
        return table + "{rows=" + count() + ", checksum=" + Long.toHexString(sum()) + "}";
    }

    /** Adds rows up into a checksum. Not thread-safe. */
    public static final class Builder {
        private final String table;
        private final ChecksumLevel level;
        private final long[] counts;
        private final long[] sums;

        /**
         * A builder for one table at the fine level.
         *
         * @param table the table
         */
        public Builder(String table) {
            this(table, ChecksumLevel.FINE);
        }

        /**
         * A builder for one table at a level.
         *
         * @param table the table
         * @param level the level of its buckets
         */
        public Builder(String table, ChecksumLevel level) {
            this.table = requireNonNull(table, "table is null");
            this.level = requireNonNull(level, "level is null");
            this.counts = new long[level.buckets()];
            this.sums = new long[level.buckets()];
        }

        /**
         * Adds a live row.
         *
         * @param globalId its {@code ps_global_id}
         * @param hash its {@link RowHash}
         * @return this builder
         */
        public Builder add(String globalId, long hash) {
            int bucket = level.of(RowHash.bucket(globalId));
            counts[bucket]++;
            sums[bucket] += hash;
            return this;
        }

        /**
         * Adds what a store kept for one bucket: its count and the sums of the low and the high 32 bits of its
         * row hashes (stores keep the halves apart because their integers do not wrap around).
         *
         * @param bucket the bucket, at the builder's level
         * @param count live rows in it
         * @param low the sum of the low 32 bits (unsigned) of its hashes
         * @param high the sum of the high 32 bits (unsigned) of its hashes
         * @return this builder
         */
        public Builder addHalves(int bucket, long count, long low, long high) {
            counts[bucket] += count;
            sums[bucket] += low + (high << 32);
            return this;
        }

        /**
         * The checksum of what was added.
         *
         * @return the checksum
         */
        public TableChecksum build() {
            return of(table, counts, sums);
        }
    }
}
