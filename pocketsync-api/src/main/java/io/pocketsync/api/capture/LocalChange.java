package io.pocketsync.api.capture;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.model.Change;

/**
 * A captured change still waiting for the server, with its local order.
 *
 * @param localSequence the position in the device's local change log
 * @param change the change
 */
public record LocalChange(long localSequence, Change change) {
    /**
     * Validates the record.
     *
     * @param localSequence the position in the device's local change log
     * @param change the change
     */
    public LocalChange {
        requireNonNull(change, "change is null");
    }
}
