package io.pocketsync.api.transport;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.Identifiers;
import java.net.URI;
import java.util.List;

/**
 * Where and as whom a device connects: the server URI ({@code ws://}, {@code wss://} for WebSocket;
 * {@code tcp://}, {@code ssl://} for MQTT) plus the scopes and device id, which transports that
 * address by topic (MQTT) need before the first message.
 *
 * @param uri the server or broker URI
 * @param scope the scope the device syncs first: the scope of the connection's untagged messages
 * @param deviceId the device id
 * @param scopes every scope the device syncs over this connection, {@code scope} first (protocol 3,
 *        docs/protocol.md 3.9); a transport that addresses by topic listens on each
 */
public record Endpoint(URI uri, String scope, String deviceId, List<String> scopes) {
    /**
     * Validates the endpoint: scopes and device id follow {@link Identifiers}.
     *
     * @param uri the server or broker URI
     * @param scope the scope the device syncs first
     * @param deviceId the device id
     * @param scopes every scope of the connection, {@code scope} first, each once; copied
     */
    public Endpoint {
        requireNonNull(uri, "uri is null");
        Identifiers.requireScopeOrDeviceId(scope, "scope");
        Identifiers.requireScopeOrDeviceId(deviceId, "deviceId");
        scopes = List.copyOf(scopes);
        scopes.forEach(each -> Identifiers.requireScopeOrDeviceId(each, "scope"));
        if (scopes.isEmpty() || !scopes.get(0).equals(scope) || scopes.stream().distinct().count() != scopes.size()) {
            throw new IllegalArgumentException("scopes must start with the scope and name each scope once: " + scopes);
        }
    }

    /**
     * An endpoint of one scope.
     *
     * @param uri the server or broker URI
     * @param scope the scope the device syncs
     * @param deviceId the device id
     */
    public Endpoint(URI uri, String scope, String deviceId) {
        this(uri, scope, deviceId, List.of(scope));
    }
}
