package io.pocketsync.api.protocol;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.model.Hlc;

/**
 * Device → server, first message of every connection: who the device is, which scope it wants,
 * its credentials and its cursor. Answered by {@link Welcome} or by {@link ErrorMessage} and close.
 *
 * @param protocolVersion the device's protocol version
 * @param deviceId the device's persistent id
 * @param scope the scope the device wants to sync
 * @param token the credentials (static token or signed token); never logged; may be empty for anonymous scopes
 * @param cursor the last server sequence the device applied (0 if never synced)
 * @param deviceHlc the device's current clock, merged by the server
 */
public record Hello(int protocolVersion, String deviceId, String scope, String token, long cursor, Hlc deviceHlc)
        implements Message {
    /**
     * Validates the record.
     *
     * @param protocolVersion the device's protocol version
     * @param deviceId the device's persistent id
     * @param scope the scope the device wants to sync
     * @param token the credentials (static token or signed token); never logged; may be empty for anonymous scopes
     * @param cursor the last server sequence the device applied (0 if never synced)
     * @param deviceHlc the device's current clock, merged by the server
     */
    public Hello {
        requireNonNull(deviceId, "deviceId is null");
        requireNonNull(scope, "scope is null");
        requireNonNull(token, "token is null");
        requireNonNull(deviceHlc, "deviceHlc is null");
    }

    @Override
    public MessageType type() {
        return MessageType.HELLO;
    }

    /** Never prints the token. */
    @Override
    public String toString() {
        return "Hello[v" + protocolVersion + ", device=" + deviceId + ", scope=" + scope + ", token=****, cursor="
                + cursor + ", hlc=" + deviceHlc + "]";
    }
}
