package io.pocketsync.api.auth;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.model.Scope;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * An authenticated device: the one scope it may read and write, and until when.
 *
 * <p>A session lives no longer than its credentials: the server ends it with {@code ERROR TOKEN_EXPIRED} at
 * {@code expiresAt}, and the device authenticates again, with a fresh token if it has one.
 *
 * @param scope the granted scope
 * @param deviceId the device
 * @param expiresAt when the grant ends (a signed token's expiry); null when it does not end
 */
public record Principal(Scope scope, String deviceId, @Nullable Instant expiresAt) {
    /**
     * Validates the record.
     *
     * @param scope the granted scope
     * @param deviceId the device
     * @param expiresAt when the grant ends; null when it does not end
     */
    public Principal {
        requireNonNull(scope, "scope is null");
        requireNonNull(deviceId, "deviceId is null");
    }

    /**
     * A grant that does not end by itself (a static token, anonymous access).
     *
     * @param scope the granted scope
     * @param deviceId the device
     */
    public Principal(Scope scope, String deviceId) {
        this(scope, deviceId, null);
    }
}
