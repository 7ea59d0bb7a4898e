package io.pocketsync.api.protocol;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.model.Change;
import java.util.List;

/**
 * Device → server: a batch of local changes in local order. The server stores all of them or none
 * and answers with one {@link Ack} naming every change. A device re-sends a batch (same change ids)
 * until it is acknowledged; re-sent changes are answered {@code DUPLICATE}.
 *
 * <p>A <em>bulk page</em> ({@code bulk} true, protocol.md 3.2a) carries rows a table already held when the device
 * started tracking it, as INSERT images; the server stores it like any PUSH and may answer with a compact ACK
 * ({@link Ack#applied()}). A server that does not know the flag ignores it and names every change, which a device
 * reads just as well.
 *
 * @param protocolVersion protocol version
 * @param batchId id chosen by the device, echoed in the ACK
 * @param changes the changes; never null, may not be empty
 * @param bulk whether this is a bulk page, whose ACK may be compact
 */
public record Push(int protocolVersion, String batchId, List<Change> changes, boolean bulk) implements Message {
    /**
     * Validates the record and copies its lists.
     *
     * @param protocolVersion protocol version
     * @param batchId id chosen by the device, echoed in the ACK
     * @param changes the changes; never null, may not be empty
     * @param bulk whether this is a bulk page
     */
    public Push {
        requireNonNull(batchId, "batchId is null");
        changes = List.copyOf(requireNonNull(changes, "changes is null"));
    }

    /**
     * An ordinary PUSH (not a bulk page).
     *
     * @param protocolVersion protocol version
     * @param batchId id chosen by the device, echoed in the ACK
     * @param changes the changes; never null, may not be empty
     */
    public Push(int protocolVersion, String batchId, List<Change> changes) {
        this(protocolVersion, batchId, changes, false);
    }

    @Override
    public MessageType type() {
        return MessageType.PUSH;
    }
}
