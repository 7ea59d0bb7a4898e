package io.pocketsync.api.auth;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.model.Scope;

/**
 * An authenticated device: the one scope it may read and write.
 *
 * @param scope the granted scope
 * @param deviceId the device
 */
public record Principal(Scope scope, String deviceId) {
    /**
     * Validates the record.
     *
     * @param scope the granted scope
     * @param deviceId the device
     */
    public Principal {
        requireNonNull(scope, "scope is null");
        requireNonNull(deviceId, "deviceId is null");
    }
}
