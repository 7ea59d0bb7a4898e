package io.pocketsync.api.conflict;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.RowState;
import org.jspecify.annotations.Nullable;

/**
 * A resolver's decision for one incoming change: a value that carries everything the store and the
 * engine need to act on it and to answer the device, so nothing depends on how often or in which order a
 * store calls the resolver.
 *
 * <ul>
 *   <li>{@link Apply}: {@code state} becomes the row's new state (the incoming image, or a merge).</li>
 *   <li>{@link Supersede}: the stored state stays; the incoming change lost and the device gets the winner.</li>
 *   <li>{@link Reject}: the change is refused with a code; the stored state stays.</li>
 * </ul>
 *
 * <p>Resolvers build decisions with the factories: {@link #apply(RowState, Change, RowState)} and
 * {@link #applyIncoming(RowState, Change)} fill in {@link Apply#overridesLater()} from the inputs, so it is
 * always consistent with them ({@code AbstractConflictResolverContractTest} checks it).
 */
public sealed interface Resolution {
    /**
     * The change applies.
     *
     * @param state the row's new state; its sequences are assigned by the store
     * @param overridesLater true when a stored row existed and the incoming change is not later than it by
     *        version ({@code hlc}, {@code device}): last-write-wins would have kept the stored row, and this
     *        resolver applied the change anyway (client-wins, a field merge). The pushing device may already
     *        have let that stored row overwrite its own change, so the ACK must send it the result
     *        ({@code docs/protocol.md}, the {@code winner} of an APPLIED result).
     */
    record Apply(RowState state, boolean overridesLater) implements Resolution {
        /**
         * Validates the decision.
         *
         * @param state the row's new state; not null
         * @param overridesLater whether the change was applied over a stored row that was not older than it
         */
        public Apply {
            requireNonNull(state, "state is null");
        }
    }

    /** The stored state wins. */
    record Supersede() implements Resolution {}

    /**
     * The change is refused.
     *
     * @param code why; sent to the device in the ACK; not null
     * @param reason a human-readable reason; not null
     */
    record Reject(ErrorCode code, String reason) implements Resolution {
        /**
         * Validates the decision.
         *
         * @param code why; sent to the device in the ACK; not null
         * @param reason a human-readable reason; not null
         */
        public Reject {
            requireNonNull(code, "code is null");
            requireNonNull(reason, "reason is null");
        }
    }

    /**
     * Applies {@code state} (the incoming image or a merge of it with {@code current}) over {@code current}.
     *
     * @param current the stored state the resolver was given; null when there is none
     * @param incoming the change being resolved
     * @param state the row's new state; must name the incoming change's row
     * @return the decision, with {@link Apply#overridesLater()} computed from the versions
     */
    static Apply apply(@Nullable RowState current, Change incoming, RowState state) {
        requireNonNull(incoming, "incoming is null");
        return new Apply(state, current != null && !incoming.version().isAfter(current.version()));
    }

    /**
     * Applies the incoming change as it is ({@link RowState#of(Change)}) over {@code current}.
     *
     * @param current the stored state the resolver was given; null when there is none
     * @param incoming the change being resolved
     * @return the decision, with {@link Apply#overridesLater()} computed from the versions
     */
    static Apply applyIncoming(@Nullable RowState current, Change incoming) {
        requireNonNull(incoming, "incoming is null");
        return apply(current, incoming, RowState.of(incoming));
    }

    /**
     * A {@link Supersede} decision.
     *
     * @return the decision
     */
    static Resolution supersede() {
        return new Supersede();
    }

    /**
     * A {@link Reject} decision.
     *
     * @param code why
     * @param reason a human-readable reason
     * @return the decision
     */
    static Resolution reject(ErrorCode code, String reason) {
        return new Reject(code, reason);
    }
}
