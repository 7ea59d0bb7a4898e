package io.pocketsync.api.model;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * The unit of atomicity on the server: all changes of a batch are stored, or none.
 *
 * @param batchId id chosen by the device, unique per device; echoed in the ACK
 * @param changes the changes in the device's local order; never null
 */
public record ChangeBatch(String batchId, List<Change> changes) {
    /**
     * Validates the record and copies its lists.
     *
     * @param batchId id chosen by the device, unique per device; echoed in the ACK
     * @param changes the changes in the device's local order; never null
     */
    public ChangeBatch {
        requireNonNull(batchId, "batchId is null");
        changes = List.copyOf(requireNonNull(changes, "changes is null"));
    }
}
