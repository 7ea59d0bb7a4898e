package io.pocketsync.api.store;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Scope;
import java.util.List;

/**
 * A change-feed event: one committed batch, as every server node learns of it.
 *
 * <p>{@code changes} are the batch's applied changes in sequence order, each carrying the row's
 * winning image (which a merging resolver may have changed) and the id, HLC and device of the change
 * that was pushed; the i-th has sequence {@code fromSequence + i + 1} and the last has {@code toSequence}.
 *
 * @param scope the scope
 * @param nodeId the server node that committed the batch
 * @param fromSequence exclusive start of the sequence range
 * @param toSequence inclusive end of the sequence range
 * @param changes the applied changes
 */
public record CommittedBatch(Scope scope, String nodeId, long fromSequence, long toSequence, List<Change> changes) {
    /**
     * Validates the batch and copies its changes.
     *
     * @param scope the scope
     * @param nodeId the server node that committed the batch
     * @param fromSequence exclusive start of the sequence range
     * @param toSequence inclusive end of the sequence range
     * @param changes the applied changes
     */
    public CommittedBatch {
        requireNonNull(scope, "scope is null");
        requireNonNull(nodeId, "nodeId is null");
        changes = List.copyOf(requireNonNull(changes, "changes is null"));
    }
}
