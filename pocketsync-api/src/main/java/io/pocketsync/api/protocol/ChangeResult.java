package io.pocketsync.api.protocol;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.model.Change;

/**
 * The server's verdict on one pushed change.
 *
 * @param changeId the change this result is for
 * @param status what happened
 * @param sequence the server sequence assigned (APPLIED), otherwise 0
 * @param winner for SUPERSEDED the winning row state as a change; for APPLIED the stored row when a
 *        resolver merged it into something other than what was pushed; otherwise null
 * @param errorCode for REJECTED the reason; otherwise null
 * @param message for REJECTED a human-readable reason; otherwise null
 */
public record ChangeResult(String changeId, ChangeStatus status, long sequence, Change winner, ErrorCode errorCode,
        String message) {
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

    public static ChangeResult applied(String changeId, long sequence, Change merged) {
        return new ChangeResult(changeId, ChangeStatus.APPLIED, sequence, merged, null, null);
    }

    public static ChangeResult duplicate(String changeId) {
        return new ChangeResult(changeId, ChangeStatus.DUPLICATE, 0, null, null, null);
    }

    public static ChangeResult superseded(String changeId, Change winner) {
        return new ChangeResult(changeId, ChangeStatus.SUPERSEDED, 0, requireNonNull(winner, "winner is null"), null, null);
    }

    public static ChangeResult rejected(String changeId, ErrorCode code, String message) {
        return new ChangeResult(changeId, ChangeStatus.REJECTED, 0, null, code, message);
    }
}
