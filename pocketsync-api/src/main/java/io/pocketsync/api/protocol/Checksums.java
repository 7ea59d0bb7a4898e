package io.pocketsync.api.protocol;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.checksum.RowHash;
import io.pocketsync.api.checksum.TableChecksum;
import io.pocketsync.api.model.Change;
import java.util.List;

/**
 * Server → device: the answer to a {@link Verify} (docs/protocol.md 4.2). Which lists are filled follows the question.
 *
 * @param protocolVersion protocol version
 * @param requestId the {@link Verify}'s id
 * @param sequence the scope's head when the answer was read; table checksums hold exactly at it
 * @param tables the checksums of every table with live rows (first question), or of the one table asked (second
 *        question; empty when it has no live rows), at the level asked: each {@link TableChecksum}'s level is that of
 *        its buckets; empty otherwise
 * @param globalIds the live rows of the asked buckets (second question), index for index with {@code hashes}
 * @param hashes the row hash of each of {@code globalIds}
 * @param rows the server's state of the asked rows that it knows (third question): a live row as UPDATE with its
 *        image, a tombstone as DELETE; a row it never had is left out
 * @param sequences the last sequence of each of {@code rows}
 * @param algorithm the row hash the server sums ({@code alg}: {@link RowHash#ALGORITHM}; absent on the wire means
 *        {@link RowHash#FIRST_ALGORITHM}): a device that sums another hash does not compare
 */
public record Checksums(int protocolVersion, long requestId, long sequence, List<TableChecksum> tables, List<String> globalIds,
        List<Long> hashes, List<Change> rows, List<Long> sequences, String algorithm) implements Message {
    /**
     * Validates and copies the lists.
     *
     * @param protocolVersion protocol version
     * @param requestId the {@link Verify}'s id
     * @param sequence the scope's head when the answer was read
     * @param tables the checksums of every table with live rows; empty otherwise
     * @param globalIds the live rows of the asked buckets, index for index with {@code hashes}
     * @param hashes the row hash of each of {@code globalIds}
     * @param rows the server's state of the asked rows that it knows
     * @param sequences the last sequence of each of {@code rows}
     * @param algorithm the row hash the server sums
     * @throws IllegalArgumentException when paired lists differ in length
     */
    public Checksums {
        requireNonNull(algorithm, "algorithm is null");
        tables = List.copyOf(requireNonNull(tables, "tables is null"));
        globalIds = List.copyOf(requireNonNull(globalIds, "globalIds is null"));
        hashes = List.copyOf(requireNonNull(hashes, "hashes is null"));
        rows = List.copyOf(requireNonNull(rows, "rows is null"));
        sequences = List.copyOf(requireNonNull(sequences, "sequences is null"));
        if (globalIds.size() != hashes.size() || rows.size() != sequences.size()) {
            throw new IllegalArgumentException("gids and hashes, rows and seqs must pair up");
        }
    }

    /**
     * An answer of a server that sums this version's row hash ({@link RowHash#ALGORITHM}).
     *
     * @param protocolVersion protocol version
     * @param requestId the {@link Verify}'s id
     * @param sequence the scope's head when the answer was read
     * @param tables the checksums of every table with live rows; empty otherwise
     * @param globalIds the live rows of the asked buckets, index for index with {@code hashes}
     * @param hashes the row hash of each of {@code globalIds}
     * @param rows the server's state of the asked rows that it knows
     * @param sequences the last sequence of each of {@code rows}
     */
    public Checksums(int protocolVersion, long requestId, long sequence, List<TableChecksum> tables, List<String> globalIds,
            List<Long> hashes, List<Change> rows, List<Long> sequences) {
        this(protocolVersion, requestId, sequence, tables, globalIds, hashes, rows, sequences, RowHash.ALGORITHM);
    }

    @Override
    public MessageType type() {
        return MessageType.CHECKSUMS;
    }
}
