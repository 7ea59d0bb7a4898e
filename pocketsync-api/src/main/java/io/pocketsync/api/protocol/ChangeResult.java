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
 */
public record ChangeResult(String changeId, ChangeStatus status, long sequence, @Nullable Change winner,
        @Nullable ErrorCode errorCode, @Nullable String message) {
    public ChangeResult {
        requireNonNull(changeId, "changeId is null");
        requireNonNull(status, "status is null");
        if (status == ChangeStatus.REJECTED && errorCode == null) {
            throw new IllegalArgumentException("a REJECTED result needs an error code");
        }
    }

    public static ChangeResult applied(String changeId, long sequence) {
        return new ChangeResult(changeId, ChangeStatus.APPLIED, sequence, null, null, null);
    }

    public static ChangeResult applied(String changeId, long sequence, @Nullable Change merged) {
        return new ChangeResult(changeId, ChangeStatus.APPLIED, sequence, merged, null, null);
    }

    public static ChangeResult duplicate(String changeId) {
        return new ChangeResult(changeId, ChangeStatus.DUPLICATE, 0, null, null, null);
    }

    public static ChangeResult superseded(String changeId, Change winner) {
        return superseded(changeId, winner, 0);
    }

    /** SUPERSEDED by {@code winner}, whose state has the server sequence {@code winnerSequence}. */
    public static ChangeResult superseded(String changeId, Change winner, long winnerSequence) {
        return new ChangeResult(changeId, ChangeStatus.SUPERSEDED, winnerSequence, requireNonNull(winner, "winner is null"),
                null, null);
    }

    public static ChangeResult rejected(String changeId, ErrorCode code, @Nullable String message) {
        return new ChangeResult(changeId, ChangeStatus.REJECTED, 0, null, code, message);
    }
}
