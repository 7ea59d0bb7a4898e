package io.pocketsync.api.protocol;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.model.Change;
import org.jspecify.annotations.Nullable;

/**
 * The server's verdict on one pushed change.
 *
 * @param changeId the change this result is for
 * @param status what happened
 * @param sequence APPLIED: the server sequence assigned to the change; SUPERSEDED and DUPLICATE: the stored
 *        row's {@code lastSequence} (the sequence of the winner's state, or of the duplicate's own state), 0
 *        when unknown (an older server, or the row is gone); REJECTED: 0. The device applies a winner only over
 *        an older local state of the row
 * @param winner for SUPERSEDED the winning row state as a change; for APPLIED the stored row when a
 *        resolver merged it into something other than what was pushed; for DUPLICATE the stored row when it
 *        is no longer exactly the re-sent change; otherwise null
 * @param errorCode for REJECTED the reason; otherwise null
 * @param message for REJECTED a human-readable reason; otherwise null
 * @param previous APPLIED (wire field {@code prev}, protocol.md 3.2): the server sequence of the row state the change
 *        replaced, 0 when the row was new on the server (its first state); {@link #PREVIOUS_UNKNOWN} when not said (an
 *        older server, any other status). Every state of the row older than this change's is at or below it, so a
 *        device whose cursor has passed it can receive no older state of the row and need not record the change's
 *        sequence
 */
public record ChangeResult(String changeId, ChangeStatus status, long sequence, @Nullable Change winner,
        @Nullable ErrorCode errorCode, @Nullable String message, long previous) {
    /** {@link #previous()} when the server did not say it: the device records the row's sequence as before. */
    public static final long PREVIOUS_UNKNOWN = -1;

    /**
     * Validates the result: a REJECTED one needs an error code; {@code previous} is {@link #PREVIOUS_UNKNOWN} or a
     * sequence below {@code sequence}.
     *
     * @param changeId the change this result is for
     * @param status what happened
     * @param sequence the server sequence of the row state this result reports; see the class comment
     * @param winner the winning or stored row state as a change, where the status has one; otherwise null
     * @param errorCode for REJECTED the reason; otherwise null
     * @param message for REJECTED a human-readable reason; otherwise null
     * @param previous APPLIED: the sequence of the state the change replaced (0: none); otherwise, or when not said,
     *        {@link #PREVIOUS_UNKNOWN}
     */
    public ChangeResult {
        requireNonNull(changeId, "changeId is null");
        requireNonNull(status, "status is null");
        if (status == ChangeStatus.REJECTED && errorCode == null) {
            throw new IllegalArgumentException("a REJECTED result needs an error code");
        }
        if (previous < PREVIOUS_UNKNOWN || (previous != PREVIOUS_UNKNOWN && (status != ChangeStatus.APPLIED || previous >= sequence))) {
            throw new IllegalArgumentException("previous sequence " + previous + " of a " + status + " result at sequence "
                    + sequence + ": only an APPLIED result says one, below its own");
        }
    }

    /**
     * A result that does not say the previous sequence ({@link #PREVIOUS_UNKNOWN}).
     *
     * @param changeId the change this result is for
     * @param status what happened
     * @param sequence the server sequence of the row state this result reports; see the class comment
     * @param winner the winning or stored row state as a change, where the status has one; otherwise null
     * @param errorCode for REJECTED the reason; otherwise null
     * @param message for REJECTED a human-readable reason; otherwise null
     */
    public ChangeResult(String changeId, ChangeStatus status, long sequence, @Nullable Change winner,
            @Nullable ErrorCode errorCode, @Nullable String message) {
        this(changeId, status, sequence, winner, errorCode, message, PREVIOUS_UNKNOWN);
    }

    /**
     * This APPLIED result saying the sequence of the row state the change replaced.
     *
     * @param previousSequence the replaced state's sequence, 0 when the row was new; {@link #PREVIOUS_UNKNOWN} to say none
     * @return the result
     * @throws IllegalArgumentException when this result is not APPLIED or the sequence is not below its own
     */
    public ChangeResult withPrevious(long previousSequence) {
        return new ChangeResult(changeId, status, sequence, winner, errorCode, message, previousSequence);
    }

    /**
     * Whether the server said the sequence of the state the change replaced.
     *
     * @return true when {@link #previous()} is a sequence (0 included)
     */
    public boolean previousKnown() {
        return previous != PREVIOUS_UNKNOWN;
    }

    /**
     * APPLIED as pushed.
     *
     * @param changeId the change
     * @param sequence the server sequence assigned to it
     * @return the result
     */
    public static ChangeResult applied(String changeId, long sequence) {
        return new ChangeResult(changeId, ChangeStatus.APPLIED, sequence, null, null, null);
    }

    /**
     * APPLIED, stored as {@code merged} (a resolver combined it with the stored row).
     *
     * @param changeId the change
     * @param sequence the server sequence assigned to it
     * @param merged the row as stored; null when stored as pushed
     * @return the result
     */
    public static ChangeResult applied(String changeId, long sequence, @Nullable Change merged) {
        return new ChangeResult(changeId, ChangeStatus.APPLIED, sequence, merged, null, null);
    }

    /**
     * DUPLICATE: the change was stored before; nothing new happened.
     *
     * @param changeId the change
     * @return the result
     */
    public static ChangeResult duplicate(String changeId) {
        return new ChangeResult(changeId, ChangeStatus.DUPLICATE, 0, null, null, null);
    }

    /**
     * SUPERSEDED by {@code winner}, sequence unknown.
     *
     * @param changeId the change that lost
     * @param winner the winning row state, as a change; not null
     * @return the result
     */
    public static ChangeResult superseded(String changeId, Change winner) {
        return superseded(changeId, winner, 0);
    }

    /**
     * SUPERSEDED by {@code winner}, whose state has the server sequence {@code winnerSequence}.
     *
     * @param changeId the change that lost
     * @param winner the winning row state, as a change; not null
     * @param winnerSequence the server sequence of the winner's state; 0 when unknown
     * @return the result
     */
    public static ChangeResult superseded(String changeId, Change winner, long winnerSequence) {
        return new ChangeResult(changeId, ChangeStatus.SUPERSEDED, winnerSequence, requireNonNull(winner, "winner is null"),
                null, null);
    }

    /**
     * REJECTED: the change was refused and will never be stored.
     *
     * @param changeId the change
     * @param code the reason; not null
     * @param message a human-readable reason
     * @return the result
     */
    public static ChangeResult rejected(String changeId, ErrorCode code, @Nullable String message) {
        return new ChangeResult(changeId, ChangeStatus.REJECTED, 0, null, code, message);
    }
}
