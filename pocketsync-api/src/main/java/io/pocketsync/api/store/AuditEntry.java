package io.pocketsync.api.store;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.protocol.ChangeStatus;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A superseded or rejected change kept for operators.
 *
 * @param id a per-scope increasing id
 * @param at when it was recorded
 * @param status SUPERSEDED or REJECTED
 * @param change the change that lost or was refused
 * @param winnerChangeId for SUPERSEDED the winning change's id, otherwise null
 * @param errorCode for REJECTED the code, otherwise null
 * @param reason a human-readable reason, may be null
 */
public record AuditEntry(long id, Instant at, ChangeStatus status, Change change, @Nullable String winnerChangeId,
        @Nullable ErrorCode errorCode, @Nullable String reason) {
    /**
     * Validates the entry.
     *
     * @param id a per-scope increasing id
     * @param at when it was recorded
     * @param status SUPERSEDED or REJECTED
     * @param change the change that lost or was refused
     * @param winnerChangeId for SUPERSEDED the winning change's id, otherwise null
     * @param errorCode for REJECTED the code, otherwise null
     * @param reason a human-readable reason, may be null
     */
    public AuditEntry {
        requireNonNull(at, "at is null");
        requireNonNull(status, "status is null");
        requireNonNull(change, "change is null");
    }
}
