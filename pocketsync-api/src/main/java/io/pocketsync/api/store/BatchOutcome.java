package io.pocketsync.api.store;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * The result of {@link ServerStore#apply}: one outcome per change in batch order, and the range of
 * server sequences the batch's applied changes took, {@code (fromSequence, toSequence]} (empty when
 * nothing was applied, then both equal the head at commit).
 */
public record BatchOutcome(List<ChangeOutcome> outcomes, long fromSequence, long toSequence) {
    public BatchOutcome {
        outcomes = List.copyOf(requireNonNull(outcomes, "outcomes is null"));
        if (toSequence < fromSequence) {
            throw new IllegalArgumentException("toSequence < fromSequence");
        }
    }
}
