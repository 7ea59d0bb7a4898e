package io.pocketsync.api.protocol;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.model.Change;
import java.util.List;

/**
 * Device → server: a batch of local changes in local order. The server stores all of them or none
 * and answers with one {@link Ack} naming every change. A device re-sends a batch (same change ids)
 * until it is acknowledged; re-sent changes are answered {@code DUPLICATE}.
 *
 * @param protocolVersion protocol version
 * @param batchId id chosen by the device, echoed in the ACK
 * @param changes the changes; never null, may not be empty
 */
public record Push(int protocolVersion, String batchId, List<Change> changes) implements Message {
    /**
     * Validates the record and copies its lists.
     *
     * @param protocolVersion protocol version
     * @param batchId id chosen by the device, echoed in the ACK
     * @param changes the changes; never null, may not be empty
     */
    public Push {
        requireNonNull(batchId, "batchId is null");
        changes = List.copyOf(requireNonNull(changes, "changes is null"));
    }

    @Override
    public MessageType type() {
        return MessageType.PUSH;
    }
}
