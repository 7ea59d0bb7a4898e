package io.pocketsync.examples.fleet;

import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.PluginContext;
import io.pocketsync.server.engine.auth.StaticTokenAuthenticator;
import io.pocketsync.core.config.DefaultPluginContext;
import io.pocketsync.core.config.Settings;
import io.pocketsync.core.discovery.Providers;
import io.pocketsync.server.engine.SyncServer;
import io.pocketsync.store.sqlite.SqliteServerStore;
import io.pocketsync.store.sqlite.SqliteStoreConfig;
import io.pocketsync.transport.mqtt.MqttServerConfig;
import io.pocketsync.transport.mqtt.MqttServerTransport;
import io.pocketsync.transport.websocket.WebSocketServerConfig;
import io.pocketsync.transport.websocket.WebSocketServerTransport;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * The server node: one sync engine with a SQLite store, reachable two ways at once. Sensors publish
 * to the MQTT broker, where the server is an ordinary client; the dashboard connects by WebSocket.
 * A change that arrives over MQTT is broadcast to WebSocket devices of the same scope, and back.
 *
 * <p>Started by the constructor; {@link #close()} stops the transports, then the engine, then the store.
 */
final class FleetServer implements AutoCloseable {
    private final SqliteServerStore store;
    private final SyncServer server;
    private final MqttServerTransport mqtt;
    private final WebSocketServerTransport websocket;

    /**
     * @param databaseFile the server's SQLite file
     * @param broker the MQTT broker, e.g. {@code tcp://127.0.0.1:1883}
     * @param topicRoot the topic tree under which devices and server talk, e.g. {@code pocketsync/v1}
     * @param clientId the server's MQTT client id; keep it stable across restarts (persistent session)
     * @param scope the fleet's scope, shared by every sensor and the dashboard
     * @param token the token that grants {@code scope}
     */
    FleetServer(Path databaseFile, URI broker, String topicRoot, String clientId, String scope, String token) {
        Clock clock = Clock.systemUTC();
        store = new SqliteServerStore(SqliteStoreConfig.at(databaseFile), clientId, clock);
        server = SyncServer.builder()
                .store(store)
                .authenticator(new StaticTokenAuthenticator(Map.of(scope, List.of(token))))
                .build();
        server.start();

        PluginContext context = new DefaultPluginContext(clientId, clock, Providers.codecs(), Settings.empty());
        mqtt = new MqttServerTransport(MqttServerConfig.from(PluginConfig.of("transport.mqtt", Map.of(
                "uri", broker.toString(),
                "topic-root", topicRoot,
                "client-id", clientId))), context);
        mqtt.start(server::accept);
        websocket = new WebSocketServerTransport(WebSocketServerConfig.from(PluginConfig.of("transport.websocket",
                Map.of("host", "127.0.0.1", "port", "0"))), context);
        websocket.start(server::accept);
    }

    /** Where WebSocket devices connect. */
    URI websocketUri() {
        return websocket.uri();
    }

    @Override
    public void close() {
        websocket.close();
        mqtt.close();
        server.close();
        store.close();
    }
}
