package io.pocketsync.api.transport;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.Identifiers;
import java.net.URI;

/**
 * Where and as whom a device connects: the server URI ({@code ws://}, {@code wss://} for WebSocket;
 * {@code tcp://}, {@code ssl://} for MQTT) plus the scope and device id, which transports that
 * address by topic (MQTT) need before the first message.
 *
 * @param uri the server or broker URI
 * @param scope the scope the device syncs
 * @param deviceId the device id
 */
public record Endpoint(URI uri, String scope, String deviceId) {
    /**
     * Validates the endpoint: scope and device id follow {@link Identifiers}.
     *
     * @param uri the server or broker URI
     * @param scope the scope the device syncs
     * @param deviceId the device id
     */
    public Endpoint {
        requireNonNull(uri, "uri is null");
        Identifiers.requireScopeOrDeviceId(scope, "scope");
        Identifiers.requireScopeOrDeviceId(deviceId, "deviceId");
    }
}
