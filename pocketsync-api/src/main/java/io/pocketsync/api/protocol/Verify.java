package io.pocketsync.api.protocol;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.checksum.RowHash;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Device → server: asks for checksums of row state (docs/protocol.md 4.2), answered by one {@link Checksums} with the
 * same {@code requestId}. Three questions, by which fields are set:
 * <ul>
 *   <li>no {@code table}: the checksums of every table, with their buckets;</li>
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
 */
public record Verify(int protocolVersion, long requestId, @Nullable String table, List<Integer> buckets, List<String> globalIds,
        String algorithm) implements Message {
    /**
     * Copies the lists.
     *
     * @param protocolVersion protocol version
     * @param requestId chosen by the device, repeated in the answer
     * @param table the table of a bucket or row question; null for the checksums of every table
     * @param buckets the buckets whose row hashes are asked; empty otherwise
     * @param globalIds the rows whose state is asked; empty otherwise
     * @param algorithm the row hash the device sums
     */
    public Verify {
        buckets = List.copyOf(requireNonNull(buckets, "buckets is null"));
        globalIds = List.copyOf(requireNonNull(globalIds, "globalIds is null"));
        requireNonNull(algorithm, "algorithm is null");
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
        this(protocolVersion, requestId, table, buckets, globalIds, RowHash.ALGORITHM);
    }

    @Override
    public MessageType type() {
        return MessageType.VERIFY;
    }
}
