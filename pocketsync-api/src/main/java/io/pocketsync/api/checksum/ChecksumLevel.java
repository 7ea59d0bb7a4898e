package io.pocketsync.api.checksum;

import java.util.Locale;

/**
 * How finely a table's checksum splits the {@code ps_global_id} space (docs/protocol.md 4.1): the {@link #FINE} level's
 * {@value RowHash#BUCKETS} buckets ({@link RowHash#bucket}), or the {@link #COARSE} level's 16, where coarse bucket
 * {@code c} holds fine buckets {@code 16c} to {@code 16c + 15} (a fine bucket's coarse one is {@code bucket >> 4}).
 * A store may keep only the coarse level up to date with every batch and compute a table's fine level when a device
 * asks for it, because a device asks for it only for a table whose coarse level differs.
 */
public enum ChecksumLevel {
    /** 16 buckets, each covering 16 fine ones. */
    COARSE(RowHash.BUCKETS >> 4),
    /** The {@value RowHash#BUCKETS} buckets of {@link RowHash#bucket}. */
    FINE(RowHash.BUCKETS);

    /** How many fine buckets one coarse bucket covers. */
    public static final int FINE_PER_COARSE = 16;

    private final int buckets;

    ChecksumLevel(int buckets) {
        this.buckets = buckets;
    }

    /**
     * The number of buckets at this level.
     *
     * @return 16 or {@value RowHash#BUCKETS}
     */
    public int buckets() {
        return buckets;
    }

    /**
     * The bucket of a fine bucket at this level.
     *
     * @param fineBucket 0 to {@value RowHash#BUCKETS} - 1
     * @return the fine bucket itself, or its coarse bucket ({@code fineBucket >> 4})
     */
    public int of(int fineBucket) {
        return this == FINE ? fineBucket : fineBucket / FINE_PER_COARSE;
    }

    /**
     * The level whose buckets an array of this length holds.
     *
     * @param buckets an array's length
     * @return the level
     * @throws IllegalArgumentException when no level has that many buckets
     */
    public static ChecksumLevel ofBuckets(int buckets) {
        for (ChecksumLevel level : values()) {
            if (level.buckets == buckets) {
                return level;
            }
        }
        throw new IllegalArgumentException("a table checksum has " + COARSE.buckets + " or " + FINE.buckets
                + " buckets, not " + buckets);
    }

    /**
     * The name on the wire ({@code level} of VERIFY and PULL).
     *
     * @return {@code coarse} or {@code fine}
     */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The level a wire name names.
     *
     * @param name {@code coarse} or {@code fine}
     * @return the level
     * @throws IllegalArgumentException when the name is neither
     */
    public static ChecksumLevel fromWire(String name) {
        for (ChecksumLevel level : values()) {
            if (level.wireName().equals(name)) {
                return level;
            }
        }
        throw new IllegalArgumentException("not a checksum level (coarse or fine): '" + name + "'");
    }
}
