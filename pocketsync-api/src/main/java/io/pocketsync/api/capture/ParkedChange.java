package io.pocketsync.api.capture;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;

/**
 * A remote change that could not be applied and was parked in the device's dead-letter table
 * ({@code __pocketsync_dead_letter}) instead of being retried forever or silently dropped.
 *
 * @param changeId the change id as received (may be malformed)
 * @param table the table as received
 * @param code why: {@code KEY_COLLISION}, {@code UNKNOWN_TABLE}, {@code UNKNOWN_COLUMN}, {@code INVALID_CHANGE}, ...
 * @param message a human-readable reason
 */
public record ParkedChange(String changeId, String table, ErrorCode code, String message) {
    /**
     * Validates the record.
     *
     * @param changeId the change id as received (may be malformed)
     * @param table the table as received
     * @param code why: {@code KEY_COLLISION}, {@code UNKNOWN_TABLE}, {@code UNKNOWN_COLUMN}, {@code INVALID_CHANGE}, ...
     * @param message a human-readable reason
     */
    public ParkedChange {
        requireNonNull(code, "code is null");
        requireNonNull(message, "message is null");
    }
}
