package io.pocketsync.api.auth;

import static java.util.Objects.requireNonNull;

/**
 * What a device presents in HELLO. {@link #toString()} never shows the token.
 *
 * @param scope the scope asked for
 * @param deviceId the device's id
 * @param token the token; may be empty
 */
public record Credentials(String scope, String deviceId, String token) {
    /**
     * Validates the record.
     *
     * @param scope the scope asked for
     * @param deviceId the device's id
     * @param token the token; may be empty
     */
    public Credentials {
        requireNonNull(scope, "scope is null");
        requireNonNull(deviceId, "deviceId is null");
        requireNonNull(token, "token is null");
    }

    @Override
    public String toString() {
        return "Credentials[scope=" + scope + ", deviceId=" + deviceId + ", token=****]";
    }
}
