package io.pocketsync.api.protocol;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.model.Change;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Server → device: changes to apply, either a live broadcast or one page of catch-up.
 *
 * <p>The device applies the page and moves its cursor from {@code fromCursor} to {@code cursor} in
 * one transaction, but only when its own cursor equals {@code fromCursor}; a message that starts past
 * the device's cursor means something was missed, and the device pulls from its cursor instead. A
 * message that ends at or before the device's cursor is a duplicate and is ignored.
 *
 * <p>In LIVE messages {@code (fromCursor, cursor]} is the sequence range of one committed batch; changes
 * the receiving device made itself are left out, so the list may be empty. In CATCH_UP and SNAPSHOT
 * pages {@code changes} holds the latest state of each row changed in the range.
 *
 * @param protocolVersion protocol version
 * @param mode live broadcast, catch-up page or snapshot page
 * @param changes the changes; never null
 * @param fromCursor the cursor this message starts after
 * @param cursor the cursor to store once the message is applied
 * @param hasMore for pages: whether the device should PULL again from {@code cursor}
 * @param estimatedRemaining for pages: an upper bound of the changes still to come (for progress)
 * @param sequences the server sequence of each change's row state, index for index with {@code changes}
 *        (LIVE: the change's own sequence; CATCH_UP and SNAPSHOT: the row's {@code lastSequence}); the device
 *        applies a change only over an older local state of the row. Never null; exactly as long as
 *        {@code changes}, each positive, whenever {@code changes} is not empty: a device cannot order a change
 *        without it and ignores such a message (protocol.md 3.3). Only a message without changes may leave it empty
 * @param checksums on a final page ({@code hasMore} false) answering a PULL with {@code sums}: the scope's checksums
 *        exactly at {@code cursor} (request id 0), which the device compares once it applied the page; null otherwise
 * @param tables protocol 4 (wire field {@code tables}, optional): present exactly on a page answering a PULL with
 *        {@code tables} (a catch-up of tables the device just started tracking, docs/protocol.md 3.8), the same list;
 *        such a page moves the device's cursor of those tables, not its main cursor. Null on every other message
 */
public record Changes(int protocolVersion, ChangesMode mode, List<Change> changes, long fromCursor, long cursor,
        boolean hasMore, long estimatedRemaining, List<Long> sequences, @Nullable Checksums checksums,
        @Nullable List<String> tables) implements Message {
    /**
     * Validates the message and copies its lists.
     *
     * @param protocolVersion protocol version
     * @param mode live broadcast, catch-up page or snapshot page
     * @param changes the changes; never null
     * @param fromCursor the cursor this message starts after
     * @param cursor the cursor to store once the message is applied
     * @param hasMore for pages: whether the device should PULL again from {@code cursor}
     * @param estimatedRemaining for pages: an upper bound of the changes still to come (for progress)
     * @param sequences the server sequence of each change's row state, index for index with {@code changes}
     *        (LIVE: the change's own sequence; CATCH_UP and SNAPSHOT: the row's {@code lastSequence}); the device
     *        applies a change only over an older local state of the row. Empty when unknown (an older server):
     *        never null, otherwise exactly as long as {@code changes}, each positive
     * @param checksums the scope's checksums at {@code cursor}, on a final page only; null otherwise
     * @param tables the tables a table catch-up page answers for; null for any other message
     * @throws IllegalArgumentException when checksums come with a live message, a page with more to come, or at
     *         another sequence than {@code cursor}; when {@code tables} is empty or comes with a LIVE
     */
    public Changes {
        if (tables != null && (tables.isEmpty() || mode == ChangesMode.LIVE)) {
            throw new IllegalArgumentException("tables name a table catch-up page: never empty, never LIVE");
        }
        tables = tables == null ? null : List.copyOf(tables);
        if (checksums != null && (mode == ChangesMode.LIVE || hasMore || checksums.sequence() != cursor)) {
            throw new IllegalArgumentException("checksums come only with a final page, at its cursor " + cursor);
        }
        requireNonNull(mode, "mode is null");
        changes = List.copyOf(requireNonNull(changes, "changes is null"));
        sequences = List.copyOf(requireNonNull(sequences, "sequences is null"));
        if (cursor < fromCursor) {
            throw new IllegalArgumentException("cursor " + cursor + " before fromCursor " + fromCursor);
        }
        if (!sequences.isEmpty() && sequences.size() != changes.size()) {
            throw new IllegalArgumentException(sequences.size() + " sequences for " + changes.size() + " changes");
        }
        for (Long sequence : sequences) {
            if (sequence <= 0) {
                throw new IllegalArgumentException("sequence " + sequence + " is not positive");
            }
        }
    }

    /**
     * A message without checksums.
     *
     * @param protocolVersion protocol version
     * @param mode live broadcast, catch-up page or snapshot page
     * @param changes the changes; never null
     * @param fromCursor the cursor this message starts after
     * @param cursor the cursor to store once the message is applied
     * @param hasMore for pages: whether the device should PULL again from {@code cursor}
     * @param estimatedRemaining for pages: an upper bound of the changes still to come (for progress)
     * @param sequences the server sequence of each change's row state, index for index with {@code changes}
     */
    public Changes(int protocolVersion, ChangesMode mode, List<Change> changes, long fromCursor, long cursor,
            boolean hasMore, long estimatedRemaining, List<Long> sequences) {
        this(protocolVersion, mode, changes, fromCursor, cursor, hasMore, estimatedRemaining, sequences, null, null);
    }

    /**
     * This final page carrying the scope's checksums at its cursor.
     *
     * @param sums the checksums, at {@link #cursor()}
     * @return a copy with them
     * @throws IllegalArgumentException when this is no final page or they are at another sequence
     */
    public Changes withChecksums(Checksums sums) {
        return new Changes(protocolVersion, mode, changes, fromCursor, cursor, hasMore, estimatedRemaining, sequences,
                requireNonNull(sums, "sums is null"), tables);
    }

    /**
     * This page as the answer to a PULL with {@code tables} (a table catch-up, docs/protocol.md 3.8).
     *
     * @param joining the tables the PULL named; not empty
     * @return the same page naming them
     */
    public Changes withTables(List<String> joining) {
        return new Changes(protocolVersion, mode, changes, fromCursor, cursor, hasMore, estimatedRemaining, sequences,
                checksums, requireNonNull(joining, "joining is null"));
    }

    /**
     * A message that is not a table catch-up page.
     *
     * @param protocolVersion protocol version
     * @param mode live broadcast, catch-up page or snapshot page
     * @param changes the changes; never null
     * @param fromCursor the cursor this message starts after
     * @param cursor the cursor to store once the message is applied
     * @param hasMore for pages: whether the device should PULL again from {@code cursor}
     * @param estimatedRemaining for pages: an upper bound of the changes still to come (for progress)
     * @param sequences the server sequence of each change's row state, index for index with {@code changes}
     * @param checksums the scope's checksums at {@code cursor}, on a final page only; null otherwise
     */
    public Changes(int protocolVersion, ChangesMode mode, List<Change> changes, long fromCursor, long cursor,
            boolean hasMore, long estimatedRemaining, List<Long> sequences, @Nullable Checksums checksums) {
        this(protocolVersion, mode, changes, fromCursor, cursor, hasMore, estimatedRemaining, sequences, checksums, null);
    }

    /**
     * A message without sequences: for one without changes (a LIVE of the receiver's own batch, an empty page).
     * A device ignores changes that come without their sequences.
     *
     * @param protocolVersion protocol version
     * @param mode live broadcast, catch-up page or snapshot page
     * @param changes the changes; never null
     * @param fromCursor the cursor this message starts after
     * @param cursor the cursor to store once the message is applied
     * @param hasMore for pages: whether the device should PULL again from {@code cursor}
     * @param estimatedRemaining for pages: an upper bound of the changes still to come (for progress)
     */
    public Changes(int protocolVersion, ChangesMode mode, List<Change> changes, long fromCursor, long cursor,
            boolean hasMore, long estimatedRemaining) {
        this(protocolVersion, mode, changes, fromCursor, cursor, hasMore, estimatedRemaining, List.of(), null, null);
    }

    /**
     * The server sequence of the i-th change, or 0 when unknown.
     *
     * @param index an index into {@link #changes()}
     * @return the sequence, or 0 when the message carries none
     */
    public long sequenceOf(int index) {
        return sequences.isEmpty() ? 0 : sequences.get(index);
    }

    @Override
    public MessageType type() {
        return MessageType.CHANGES;
    }
}
