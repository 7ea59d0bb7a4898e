package io.pocketsync.api.auth;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.model.Scope;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * An authenticated device: the one scope it may use, whether it may write there, and until when.
 *
 * <p>A session lives no longer than its credentials: the server ends it with {@code ERROR TOKEN_EXPIRED} at
 * {@code expiresAt}, and the device authenticates again, with a fresh token if it has one.
 *
 * @param scope the granted scope
 * @param deviceId the device
 * @param expiresAt when the grant ends (a signed token's expiry); null when it does not end
 * @param grant read-only or read-write
 */
public record Principal(Scope scope, String deviceId, @Nullable Instant expiresAt, Grant grant) {
    /**
     * Validates the record.
     *
     * @param scope the granted scope
     * @param deviceId the device
     * @param expiresAt when the grant ends; null when it does not end
     * @param grant read-only or read-write
     */
    public Principal {
        requireNonNull(scope, "scope is null");
        requireNonNull(deviceId, "deviceId is null");
        requireNonNull(grant, "grant is null");
    }

    /**
     * A read-write grant.
     *
     * @param scope the granted scope
     * @param deviceId the device
     * @param expiresAt when the grant ends; null when it does not end
     */
    public Principal(Scope scope, String deviceId, @Nullable Instant expiresAt) {
        this(scope, deviceId, expiresAt, Grant.READ_WRITE);
    }

    /**
     * Whether this principal may only read its scope.
     *
     * @return true for a {@link Grant#READ_ONLY} grant
     */
    public boolean readOnly() {
        return grant == Grant.READ_ONLY;
    }

    /**
     * A read-write grant that does not end by itself (a static token, anonymous access).
     *
     * @param scope the granted scope
     * @param deviceId the device
     */
    public Principal(Scope scope, String deviceId) {
        this(scope, deviceId, null);
    }
}
