package io.pocketsync.store.redis;

import io.pocketsync.api.model.Scope;
import io.pocketsync.api.store.RowKey;
import java.util.List;

/**
 * The key layout of one scope. Every key is {@code <prefix>:{<scope>}:<name>}: the braces make the
 * scope a hash tag, so all keys of a scope live in one Redis Cluster slot and one Lua script may touch
 * them all. Scope names cannot contain braces ({@link io.pocketsync.api.Identifiers}).
 */
final class RedisKeys {
    private final String base;

    RedisKeys(String prefix, Scope scope) {
        this.base = prefix + ":{" + scope.name() + "}:";
    }

    /** The set of scopes holding data. The only key outside a scope's slot; never touched by a script. */
    static String scopes(String prefix) {
        return prefix + ":scopes";
    }

    /** A node's health probe key (a timestamp that expires), outside every scope's slot; never touched by a script. */
    static String probe(String prefix, String nodeId) {
        return prefix + ":probe:" + nodeId;
    }

    /** The pattern every node subscribes to. */
    static String feedPattern(String prefix) {
        return prefix + ":{*}:feed";
    }

    /** The hash field and sorted-set member of a row: {@code <table length>:<table><global id>} (unambiguous). */
    static String rowField(RowKey key) {
        return key.table().length() + ":" + key.table() + key.globalId();
    }

    String feedChannel() {
        return base + "feed";
    }

    String seq() {
        return base + "seq";
    }

    String horizon() {
        return base + "horizon";
    }

    String rows() {
        return base + "rows";
    }

    String byLastSequence() {
        return base + "bylast";
    }

    String tombstones() {
        return base + "tombs";
    }

    /** Processed change ids: a set, the cheapest structure Redis checks and adds many members to. */
    String processed() {
        return base + "pids";
    }

    /**
     * The record of when ids were processed, one member per batch: its ids joined by spaces (change ids
     * hold no spaces), scored by commit time. Prune reads it to remove old ids from {@link #processed()}.
     */
    String processedBatches() {
        return base + "idbatches";
    }

    /** Device id → the highest sequence of its applied changes ({@link RedisDeviceMarks}). */
    String deviceMarks() {
        return base + "marks";
    }

    /** The operators' notes of the scope ({@link RedisScopeNotes}): name → value. Never touched by a script. */
    String notes() {
        return base + "notes";
    }

    String audit() {
        return base + "audit";
    }

    String auditTimes() {
        return base + "auditat";
    }

    String auditSequence() {
        return base + "auditseq";
    }

    /** Unique claims ({@link RedisUniqueClaims}): claim key to the holder's global id. */
    String claims() {
        return base + "claims";
    }

    /** Keys of the write script, in its KEYS order. */
    List<String> forWrite() {
        return List.of(seq(), rows(), byLastSequence(), tombstones(), audit(), auditTimes(), auditSequence(), processed(),
                processedBatches(), claims(), checksumTables(), checksumSums());
    }

    /**
     * The places of the scope's tables in {@link #checksumSums()} and the head the sums are exact at
     * ({@link RedisChecksums}).
     */
    String checksumTables() {
        return base + "coarsetables";
    }

    /**
     * The scope's checksums of row state: 64-bit counters per table and coarse bucket ({@link RedisChecksums}), added
     * to by the write script in the same atomic call as the rows, so every node reads the same values.
     */
    String checksumSums() {
        return base + "coarsesums";
    }

    /**
     * The keys of earlier checksum layouts, deleted when the sums are first rebuilt: the previous version's 256 fine
     * buckets per table ({@code sumtables}, {@code sums}) and the first version's counters (sums of another row hash).
     */
    List<String> earlierChecksums() {
        return List.of(base + "sumtables", base + "sums", base + "checksums");
    }

    /** Keys of the read script, in its KEYS order. */
    List<String> forRead() {
        return List.of(seq(), rows(), processed());
    }

    /** Keys of the prune script, in its KEYS order. */
    List<String> forPrune() {
        return List.of(rows(), byLastSequence(), tombstones(), audit(), auditTimes(), horizon(), seq(), processed(),
                processedBatches());
    }
}
