package io.pocketsync.api.protocol;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.checksum.ChecksumLevel;
import io.pocketsync.api.checksum.RowHash;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Device → server: asks for checksums of row state (docs/protocol.md 4.2), answered by one {@link Checksums} with the
 * same {@code requestId}. Four questions, by which fields are set:
 * <ul>
 *   <li>no {@code table}: the checksums of every table, with their buckets at {@code level} (fine when null: what a
 *       device before the coarse level asks);</li>
 *   <li>{@code table} and {@code level}: that table's checksum at that level (a device asks the fine level of a table
 *       whose coarse level differs);</li>
 *   <li>{@code table} and {@code buckets}: the global id and row hash of every live row of the table in those buckets;</li>
 *   <li>{@code table} and {@code globalIds}: the server's state of those rows (to repair them).</li>
 * </ul>
 *
 * @param protocolVersion protocol version
 * @param requestId chosen by the device, repeated in the answer
 * @param table the table of a bucket or row question; null for the checksums of every table
 * @param buckets the buckets whose row hashes are asked; empty otherwise
 * @param globalIds the rows whose state is asked; empty otherwise
 * @param algorithm the row hash the device sums ({@code alg}: {@link RowHash#ALGORITHM}; absent on the wire means
 *        {@link RowHash#FIRST_ALGORITHM}): a server that sums another hash does not answer
 * @param level the level of the table checksums asked ({@code level}): optional for every table's (null: fine), required
 *        for one table's; null for a bucket or row question
 */
public record Verify(int protocolVersion, long requestId, @Nullable String table, List<Integer> buckets, List<String> globalIds,
        String algorithm, @Nullable ChecksumLevel level) implements Message {
    /**
     * Copies the lists and checks that a level goes with a checksum question only.
     *
     * @param protocolVersion protocol version
     * @param requestId chosen by the device, repeated in the answer
     * @param table the table of a table, bucket or row question; null for the checksums of every table
     * @param buckets the buckets whose row hashes are asked; empty otherwise
     * @param globalIds the rows whose state is asked; empty otherwise
     * @param algorithm the row hash the device sums
     * @param level the level of the table checksums asked; null for a bucket or row question
     * @throws IllegalArgumentException when a level comes with buckets or rows
     */
    public Verify {
        buckets = List.copyOf(requireNonNull(buckets, "buckets is null"));
        globalIds = List.copyOf(requireNonNull(globalIds, "globalIds is null"));
        requireNonNull(algorithm, "algorithm is null");
        if (level != null && (!buckets.isEmpty() || !globalIds.isEmpty())) {
            throw new IllegalArgumentException("a level asks for table checksums, not for buckets or rows");
        }
    }

    /**
     * A question from a device that sums this version's row hash, with a level.
     *
     * @param protocolVersion protocol version
     * @param requestId chosen by the device, repeated in the answer
     * @param table null for the checksums of every table, else the one table whose checksum is asked
     * @param level the level of the table checksums asked
     * @return the question
     */
    public static Verify checksums(int protocolVersion, long requestId, @Nullable String table, ChecksumLevel level) {
        return new Verify(protocolVersion, requestId, table, List.of(), List.of(), RowHash.ALGORITHM, requireNonNull(level));
    }

    /**
     * A question of a device without the level field (the checksums of every table are then fine).
     *
     * @param protocolVersion protocol version
     * @param requestId chosen by the device, repeated in the answer
     * @param table the table of a bucket or row question; null for the checksums of every table
     * @param buckets the buckets whose row hashes are asked; empty otherwise
     * @param globalIds the rows whose state is asked; empty otherwise
     * @param algorithm the row hash the device sums
     */
    public Verify(int protocolVersion, long requestId, @Nullable String table, List<Integer> buckets, List<String> globalIds,
            String algorithm) {
        this(protocolVersion, requestId, table, buckets, globalIds, algorithm, null);
    }

    /**
     * A question from a device that sums this version's row hash ({@link RowHash#ALGORITHM}).
     *
     * @param protocolVersion protocol version
     * @param requestId chosen by the device, repeated in the answer
     * @param table the table of a bucket or row question; null for the checksums of every table
     * @param buckets the buckets whose row hashes are asked; empty otherwise
     * @param globalIds the rows whose state is asked; empty otherwise
     */
    public Verify(int protocolVersion, long requestId, @Nullable String table, List<Integer> buckets, List<String> globalIds) {
        this(protocolVersion, requestId, table, buckets, globalIds, RowHash.ALGORITHM, null);
    }

    /**
     * Whether this asks for one table's checksum (a table and a level).
     *
     * @return true for that question
     */
    public boolean asksTableChecksum() {
        return table != null && level != null;
    }

    @Override
    public MessageType type() {
        return MessageType.VERIFY;
    }
}
