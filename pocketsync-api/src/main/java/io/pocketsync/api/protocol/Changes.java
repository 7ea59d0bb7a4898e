package io.pocketsync.api.protocol;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.model.Change;
import java.util.List;

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
 */
public record Changes(int protocolVersion, ChangesMode mode, List<Change> changes, long fromCursor, long cursor,
        boolean hasMore, long estimatedRemaining) implements Message {
    public Changes {
        requireNonNull(mode, "mode is null");
        changes = List.copyOf(requireNonNull(changes, "changes is null"));
        if (cursor < fromCursor) {
            throw new IllegalArgumentException("cursor " + cursor + " before fromCursor " + fromCursor);
        }
    }

    @Override
    public MessageType type() {
        return MessageType.CHANGES;
    }
}
