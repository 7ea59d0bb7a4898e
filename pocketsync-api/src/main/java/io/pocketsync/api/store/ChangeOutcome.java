package io.pocketsync.api.store;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.model.RowState;
import io.pocketsync.api.protocol.ChangeResult;
import io.pocketsync.api.protocol.ChangeStatus;
import org.jspecify.annotations.Nullable;

/**
 * What a store did with one change of a batch.
 *
 * @param changeId the change
 * @param status APPLIED, DUPLICATE, SUPERSEDED or REJECTED
 * @param sequence the assigned server sequence when APPLIED, otherwise 0
 * @param state APPLIED: the row's new state (with sequences); SUPERSEDED: the winning stored state; REJECTED
 *        {@code UNIQUE_CONFLICT}: the row's stored state when it exists; otherwise null
 * @param errorCode REJECTED: the reason; otherwise null
 * @param reason REJECTED: a human-readable reason; otherwise null
 * @param overridesLater APPLIED: the resolver's {@link io.pocketsync.api.conflict.Resolution.Apply#overridesLater()}
 *        (the change was applied over a stored row that was not older than it); otherwise false
 * @param previous APPLIED: the {@code lastSequence} of the row state the change replaced (a tombstone's too), 0 when
 *        the store had no state of the row (the first INSERT of its gid); {@link ChangeResult#PREVIOUS_UNKNOWN} when the
 *        store does not say (a store built on the older factory) and for every other status. The ACK carries it as
 *        {@code prev} (protocol.md 3.2), and a device that has passed it records nothing for the row
 */
public record ChangeOutcome(String changeId, ChangeStatus status, long sequence, @Nullable RowState state,
        @Nullable ErrorCode errorCode, @Nullable String reason, boolean overridesLater, long previous) {
    /**
     * Validates the outcome.
     *
     * @param changeId the change
     * @param status APPLIED, DUPLICATE, SUPERSEDED or REJECTED
     * @param sequence the assigned server sequence when APPLIED, otherwise 0
     * @param state APPLIED: the row's new state (with sequences); SUPERSEDED: the winning stored state; REJECTED
     *        {@code UNIQUE_CONFLICT}: the row's stored state when it exists; otherwise null
     * @param errorCode REJECTED: the reason; otherwise null
     * @param reason REJECTED: a human-readable reason; otherwise null
     * @param overridesLater APPLIED: what the resolver's {@code Apply} said; otherwise false
     * @param previous APPLIED: the replaced state's sequence, 0 when none; otherwise {@link ChangeResult#PREVIOUS_UNKNOWN}
     */
    public ChangeOutcome {
        requireNonNull(changeId, "changeId is null");
        requireNonNull(status, "status is null");
        if (previous < ChangeResult.PREVIOUS_UNKNOWN
                || (previous != ChangeResult.PREVIOUS_UNKNOWN && (status != ChangeStatus.APPLIED || previous >= sequence))) {
            throw new IllegalArgumentException("previous sequence " + previous + " of a " + status + " outcome at sequence "
                    + sequence + ": only an APPLIED outcome says one, below its own");
        }
    }

    /**
     * An outcome that does not say the previous sequence ({@link ChangeResult#PREVIOUS_UNKNOWN}).
     *
     * @param changeId the change
     * @param status APPLIED, DUPLICATE, SUPERSEDED or REJECTED
     * @param sequence the assigned server sequence when APPLIED, otherwise 0
     * @param state see the record
     * @param errorCode REJECTED: the reason; otherwise null
     * @param reason REJECTED: a human-readable reason; otherwise null
     * @param overridesLater APPLIED: what the resolver's {@code Apply} said; otherwise false
     */
    public ChangeOutcome(String changeId, ChangeStatus status, long sequence, @Nullable RowState state,
            @Nullable ErrorCode errorCode, @Nullable String reason, boolean overridesLater) {
        this(changeId, status, sequence, state, errorCode, reason, overridesLater, ChangeResult.PREVIOUS_UNKNOWN);
    }

    /**
     * APPLIED.
     *
     * @param changeId the change
     * @param sequence the server sequence assigned
     * @param state the row's new state, with sequences; not null
     * @param overridesLater what the resolver's {@code Apply} said
     * @return the outcome
     */
    public static ChangeOutcome applied(String changeId, long sequence, RowState state, boolean overridesLater) {
        return applied(changeId, sequence, state, overridesLater, ChangeResult.PREVIOUS_UNKNOWN);
    }

    /**
     * APPLIED over the row state at {@code previous}.
     *
     * @param changeId the change
     * @param sequence the server sequence assigned
     * @param state the row's new state, with sequences; not null
     * @param overridesLater what the resolver's {@code Apply} said
     * @param previous the {@code lastSequence} of the state the change replaced, 0 when the store had none
     * @return the outcome
     */
    public static ChangeOutcome applied(String changeId, long sequence, RowState state, boolean overridesLater, long previous) {
        return new ChangeOutcome(changeId, ChangeStatus.APPLIED, sequence, requireNonNull(state, "state is null"), null, null,
                overridesLater, previous);
    }

    /**
     * DUPLICATE: stored before, not applied again.
     *
     * @param changeId the change
     * @return the outcome
     */
    public static ChangeOutcome duplicate(String changeId) {
        return new ChangeOutcome(changeId, ChangeStatus.DUPLICATE, 0, null, null, null, false);
    }

    /**
     * SUPERSEDED: the stored state won.
     *
     * @param changeId the change that lost
     * @param winner the stored state that won; not null
     * @return the outcome
     */
    public static ChangeOutcome superseded(String changeId, RowState winner) {
        return new ChangeOutcome(changeId, ChangeStatus.SUPERSEDED, 0, requireNonNull(winner, "winner is null"), null, null,
                false);
    }

    /**
     * REJECTED: refused, never stored.
     *
     * @param changeId the change
     * @param code the reason; not null
     * @param reason a human-readable reason
     * @return the outcome
     */
    public static ChangeOutcome rejected(String changeId, ErrorCode code, @Nullable String reason) {
        return new ChangeOutcome(changeId, ChangeStatus.REJECTED, 0, null, requireNonNull(code, "code is null"), reason, false);
    }
}
