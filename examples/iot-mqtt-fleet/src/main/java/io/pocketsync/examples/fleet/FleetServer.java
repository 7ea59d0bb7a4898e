package io.pocketsync.examples.fleet;

import io.pocketsync.core.config.Settings;
import io.pocketsync.server.engine.assembly.PocketSyncServer;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;

/**
 * The server node: one sync engine with a SQLite store, reachable two ways at once. Sensors publish
 * to the MQTT broker, where the server is an ordinary client; the dashboard connects by WebSocket.
 * A change that arrives over MQTT is broadcast to WebSocket devices of the same scope, and back.
 * Each sensor syncs its own scope, and reads the fleet's configuration scope on a read-only token.
 * Configured with the keys the standalone {@code pocketsync server} reads ({@code docs/configuration.md}):
 * {@code server.transports=mqtt,websocket} is all it takes to serve both.
 *
 * <p>Started by the constructor; {@link #close()} stops the engine, the transports, then the store.
 */
final class FleetServer implements AutoCloseable {
    private final PocketSyncServer server;

    /**
     * @param databaseFile the server's SQLite file
     * @param broker the MQTT broker, e.g. {@code tcp://127.0.0.1:1883}
     * @param topicRoot the topic tree under which devices and server talk, e.g. {@code pocketsync/v1}
     * @param clientId the server's MQTT client id; keep it stable across restarts (persistent session)
     * @param tokens the read-write {@code scope:token} pairs, comma-separated: each sensor's own scope, the operator's
     *        grant of the configuration scope
     * @param readOnlyTokens the read-only pairs: the sensors' grant of the configuration scope
     */
    FleetServer(Path databaseFile, URI broker, String topicRoot, String clientId, String tokens, String readOnlyTokens) {
        server = PocketSyncServer.start(Settings.of(Map.ofEntries(
                Map.entry("server.node-id", clientId),
                Map.entry("store.sqlite.path", databaseFile.toString()),
                Map.entry("server.auth", "static-token"),
                Map.entry("auth.static-token.tokens", tokens),
                Map.entry("auth.static-token.read-only-tokens", readOnlyTokens),
                Map.entry("server.transports", "mqtt,websocket"),
                Map.entry("transport.mqtt.uri", broker.toString()),
                Map.entry("transport.mqtt.topic-root", topicRoot),
                Map.entry("transport.mqtt.client-id", clientId),
                Map.entry("transport.websocket.host", "127.0.0.1"),
                Map.entry("transport.websocket.port", "0"))));
    }

    /** The server's store, where the readings of every sensor's scope are (the dashboard reads them there). */
    io.pocketsync.api.store.ServerStore store() {
        return server.store();
    }

    /** Where WebSocket devices connect. */
    URI websocketUri() {
        return server.address("websocket").orElseThrow();
    }

    @Override
    public void close() {
        server.close();
    }
}
