package io.pocketsync.api.store;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * The result of {@link ServerStore#apply}: one outcome per change in batch order, and the range of
 * server sequences the batch's applied changes took, {@code (fromSequence, toSequence]} (empty when
 * nothing was applied, then both equal the head at commit).
 *
 * @param outcomes one outcome per change, in batch order
 * @param fromSequence the head before the batch
 * @param toSequence the head after the batch; equal to {@code fromSequence} when nothing was applied
 */
public record BatchOutcome(List<ChangeOutcome> outcomes, long fromSequence, long toSequence) {
    /**
     * Validates the outcome and copies its list.
     *
     * @param outcomes one outcome per change, in batch order
     * @param fromSequence the head before the batch
     * @param toSequence the head after the batch; equal to {@code fromSequence} when nothing was applied
     */
    public BatchOutcome {
        outcomes = List.copyOf(requireNonNull(outcomes, "outcomes is null"));
        if (toSequence < fromSequence) {
            throw new IllegalArgumentException("toSequence < fromSequence");
        }
    }
}
