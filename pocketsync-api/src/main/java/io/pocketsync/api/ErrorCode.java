package io.pocketsync.api;

import org.jspecify.annotations.Nullable;

/**
 * Every error PocketSync can report, shared by the wire protocol ({@code ERROR} messages and
 * {@code REJECTED} results), the logs and the documentation ({@code docs/protocol.md}).
 *
 * <p>Each code has a stable numeric value that goes on the wire and a flag telling a device
 * whether retrying the same request later can succeed. Codes are never renumbered; new codes
 * are appended.
 */
public enum ErrorCode {
    /** The peer speaks a protocol version this side does not support. Not retryable. */
    PROTOCOL_VERSION_UNSUPPORTED(100, false),
    /** Bytes that do not decode into a protocol message, or a message missing required fields. */
    MALFORMED_MESSAGE(101, false),
    /** A message larger than the configured maximum size. */
    MESSAGE_TOO_LARGE(102, false),
    /** A message nested deeper than the configured maximum depth. */
    MESSAGE_TOO_DEEP(103, false),
    /** A message type this side does not know. */
    UNKNOWN_MESSAGE_TYPE(104, false),
    /** A message other than HELLO arrived before the session was authenticated. */
    HELLO_REQUIRED(105, false),
    /** A field has a value of the wrong type or out of its allowed range. */
    INVALID_FIELD(106, false),

    /** Credentials missing or wrong. Tokens are never echoed back. */
    AUTH_FAILED(200, false),
    /** A signed token whose expiry has passed. */
    TOKEN_EXPIRED(201, false),
    /** The session tried to read or write a scope its credentials do not grant. */
    SCOPE_FORBIDDEN(202, false),
    /**
     * An operator revoked this device (admin API {@code POST .../revoke}): its sessions were ended and its HELLO is
     * refused, on every node sharing the store, until an operator allows it again. Not retryable as such; a device
     * keeps reconnecting with backoff and is let in once allowed.
     */
    DEVICE_REVOKED(210, false),

    /** A PUSH with more changes than the configured maximum batch size. */
    BATCH_TOO_LARGE(300, false),
    /** A row image larger than the configured maximum row size. */
    ROW_TOO_LARGE(301, false),
    /** A table, column, scope or device identifier that is empty, too long or has forbidden characters. */
    IDENTIFIER_INVALID(302, false),
    /** A change that is structurally invalid (missing id, op without row image, ...). */
    INVALID_CHANGE(303, false),
    /** A change naming a table that the receiving side does not track. */
    UNKNOWN_TABLE(304, false),
    /** A change naming a column that the receiving side's table does not have. */
    UNKNOWN_COLUMN(305, false),
    /** A change whose physical clock is further ahead of the server clock than the allowed skew. */
    CLOCK_SKEW(306, false),
    /** A conflict resolver refused the change outright. */
    RESOLVER_REJECTED(307, false),
    /** A remote row collides with a different local row on the app's own primary or unique key. */
    KEY_COLLISION(308, false),
    /**
     * The change would give a row a value of a UNIQUE constraint (other than the one its id derives from) that another
     * live row already holds on the server; the first row to claim a value keeps it. Not stored, not broadcast; the
     * origin device moves its row to its dead letters, where the app can change the value and retry, or drop it.
     */
    UNIQUE_CONFLICT(309, false),
    /**
     * The session's grant for its scope is read-only ({@code Grant.READ_ONLY}): the change is not stored, not
     * broadcast. The answer carries the server's row as {@code winner} (none when the server has no such row); the
     * device writes that state back into its file, so no local value stays that nobody else sees, and reports it.
     */
    SCOPE_READ_ONLY(310, false),
    /**
     * A PUSH changes a table the session did not subscribe to (HELLO {@code tables}, docs/protocol.md "Table
     * subscriptions"): not stored, not broadcast. The device subscribes to the table, or stops tracking it.
     */
    TABLE_NOT_SUBSCRIBED(311, false),

    /** The device's cursor is older than the retention horizon: it must do a full resync. */
    RESYNC_REQUIRED(400, true),
    /** The device fell too far behind the live stream (outbound queue overflow): pull to catch up. */
    CATCH_UP_REQUIRED(401, true),
    /**
     * Another connection now speaks for this device id (on this server node): the older session is closed. Two live
     * devices with one id are usually one database file copied; a device detects its own copy (a new file identity)
     * and takes a new id, so this shows when that detection could not work.
     */
    SESSION_REPLACED(402, true),

    /** The server store is unreachable or failed; nothing of the batch was stored. Retry later. */
    STORE_UNAVAILABLE(500, true),
    /** The transport connection is closed or could not be opened. Retry later. */
    TRANSPORT_CLOSED(501, true),
    /** An operation did not complete in time. Retry later. */
    TIMEOUT(502, true),
    /** The server is shutting down. Retry later, possibly against another node. */
    SHUTTING_DOWN(503, true),
    /** An unexpected failure inside PocketSync; see the logs of the side that reported it. */
    INTERNAL(599, true),

    /** Configuration is invalid: unknown key, bad value, missing required setting. */
    CONFIG_INVALID(600, false),
    /** No provider of an SPI is registered under the configured name. */
    PROVIDER_NOT_FOUND(601, false),
    /** Two providers of one SPI are registered under the same name. */
    PROVIDER_AMBIGUOUS(602, false),
    /** A local database is not usable for sync (missing table, unsupported schema). */
    SCHEMA_INVALID(603, false),
    /**
     * The device database file was deleted or replaced by another file while the engine had it open: the engine's
     * handle still names the old file, whose writes no app sees. The sidecar closes it and syncs the new file.
     */
    DATABASE_REPLACED(604, false),

    /** Admin API: no such path, or the scope, device or audit entry the request names does not exist. */
    NOT_FOUND(700, false),
    /** Admin API: the path exists but does not take this HTTP method. */
    METHOD_NOT_ALLOWED(701, false);

    private final int number;
    private final boolean retryable;

    ErrorCode(int number, boolean retryable) {
        this.number = number;
        this.retryable = retryable;
    }

    /**
     * The stable number sent on the wire.
     *
     * @return the number; never reused for another code
     */
    public int number() {
        return number;
    }

    /**
     * Whether the same request may succeed if repeated later.
     *
     * @return true for transient failures
     */
    public boolean retryable() {
        return retryable;
    }

    /**
     * The code for a wire name or number.
     *
     * @param nameOrNumber the enum name (e.g. {@code "AUTH_FAILED"}) or its number (e.g. {@code "200"})
     * @return the code, or {@link #INTERNAL} when the value is unknown (a newer peer's code)
     */
    public static ErrorCode fromWire(@Nullable String nameOrNumber) {
        if (nameOrNumber == null) {
            return INTERNAL;
        }
        for (ErrorCode code : values()) {
            if (code.name().equals(nameOrNumber) || Integer.toString(code.number).equals(nameOrNumber)) {
                return code;
            }
        }
        return INTERNAL;
    }
}
