package io.pocketsync.api.protocol;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.model.Hlc;
import java.util.List;
import org.jspecify.annotations.Nullable;

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
 * @param maxAssembledBytes the largest message the device rebuilds from fragments (wire field {@code maxAssembled},
 *        optional; docs/protocol.md, "Fragments"), or 0 when it takes no fragments: the server then sends every message whole
 * @param tables the tables the device tracks (wire field {@code tables}, optional, protocol 2; docs/protocol.md,
 *        "Table subscriptions"): the server sends it changes, pages and checksums of these tables only and refuses its
 *        changes to others. Null, as from a protocol 1 device, subscribes to every table of the scope
 */
public record Hello(int protocolVersion, String deviceId, String scope, String token, long cursor, Hlc deviceHlc,
        int maxAssembledBytes, @Nullable List<String> tables) implements Message {
    /**
     * A HELLO subscribed to every table.
     *
     * @param protocolVersion the device's protocol version
     * @param deviceId the device's persistent id
     * @param scope the scope the device wants to sync
     * @param token the credentials (static token or signed token); never logged; may be empty for anonymous scopes
     * @param cursor the last server sequence the device applied (0 if never synced)
     * @param deviceHlc the device's current clock, merged by the server
     * @param maxAssembledBytes the largest message the device rebuilds from fragments, or 0
     */
    public Hello(int protocolVersion, String deviceId, String scope, String token, long cursor, Hlc deviceHlc,
            int maxAssembledBytes) {
        this(protocolVersion, deviceId, scope, token, cursor, deviceHlc, maxAssembledBytes, null);
    }

    /**
     * A HELLO of a device that takes no fragments.
     *
     * @param protocolVersion the device's protocol version
     * @param deviceId the device's persistent id
     * @param scope the scope the device wants to sync
     * @param token the credentials (static token or signed token); never logged; may be empty for anonymous scopes
     * @param cursor the last server sequence the device applied (0 if never synced)
     * @param deviceHlc the device's current clock, merged by the server
     */
    public Hello(int protocolVersion, String deviceId, String scope, String token, long cursor, Hlc deviceHlc) {
        this(protocolVersion, deviceId, scope, token, cursor, deviceHlc, 0, null);
    }

    /**
     * Validates the record.
     *
     * @param protocolVersion the device's protocol version
     * @param deviceId the device's persistent id
     * @param scope the scope the device wants to sync
     * @param token the credentials (static token or signed token); never logged; may be empty for anonymous scopes
     * @param cursor the last server sequence the device applied (0 if never synced)
     * @param deviceHlc the device's current clock, merged by the server
     * @param maxAssembledBytes the largest message the device rebuilds from fragments, or 0; negative counts as 0
     * @param tables the tables the device tracks, or null for every table; copied
     */
    public Hello {
        maxAssembledBytes = Math.max(0, maxAssembledBytes);
        tables = tables == null ? null : List.copyOf(tables);
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
                + cursor + ", hlc=" + deviceHlc + ", maxAssembled=" + maxAssembledBytes + (tables == null ? "" : ", tables=" + tables) + "]";
    }
}
