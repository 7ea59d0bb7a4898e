package io.pocketsync.it.support;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.auth.Authenticator;
import io.pocketsync.api.store.ServerStore;
import io.pocketsync.api.transport.ServerTransport;
import io.pocketsync.server.engine.ServerListener;
import io.pocketsync.server.engine.ServerOptions;
import io.pocketsync.server.engine.SyncServer;
import io.pocketsync.store.redis.RedisServerStore;
import io.pocketsync.store.redis.RedisStoreConfig;
import io.pocketsync.store.sqlite.SqliteServerStore;
import io.pocketsync.store.sqlite.SqliteStoreConfig;
import io.pocketsync.testkit.transport.TestingPluginContext;
import io.pocketsync.transport.mqtt.MqttServerConfig;
import io.pocketsync.transport.mqtt.MqttServerTransport;
import io.pocketsync.transport.websocket.WebSocketServerConfig;
import io.pocketsync.transport.websocket.WebSocketServerTransport;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One server node of a test: a started {@link SyncServer} over a given store, with a WebSocket transport on a
 * free loopback port and/or an MQTT bridge on the test broker. {@link #close()} closes the server, then the
 * transports, then the store. Not thread-safe; build and close it on the test thread.
 */
public final class SyncNode implements AutoCloseable {
    private final String nodeId;
    private final ServerStore store;
    private final SyncServer server;
    private final WebSocketServerTransport websocket;
    private final MqttServerTransport mqtt;
    private final String mqttClientId;

    private SyncNode(String nodeId, ServerStore store, SyncServer server, WebSocketServerTransport websocket,
            MqttServerTransport mqtt, String mqttClientId) {
        this.nodeId = nodeId;
        this.store = store;
        this.server = server;
        this.websocket = websocket;
        this.mqtt = mqtt;
        this.mqttClientId = mqttClientId;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A SQLite server store in {@code dir}. */
    public static ServerStore sqliteStore(Path dir, String nodeId) {
        return new SqliteServerStore(SqliteStoreConfig.at(dir.resolve("server-" + nodeId + ".db")), nodeId, Clock.systemUTC());
    }

    /** The store a parameterized test names: {@code "redis"} under {@code redisPrefix}, otherwise SQLite in {@code dir}. */
    public static ServerStore store(String name, Path dir, String redisPrefix, String nodeId) {
        return "redis".equals(name) ? redisStore(redisPrefix, nodeId) : sqliteStore(dir, nodeId);
    }

    /** A Redis server store on the test Redis under {@code prefix}; delete its keys with {@link Cleanup}. */
    public static ServerStore redisStore(String prefix, String nodeId) {
        return new RedisServerStore(RedisStoreConfig.of(TestEnv.redisUri(), prefix), nodeId, Clock.systemUTC());
    }

    public String nodeId() {
        return nodeId;
    }

    public ServerStore store() {
        return store;
    }

    public SyncServer server() {
        return server;
    }

    /** The {@code ws://} or {@code wss://} URI devices connect to. */
    public URI websocketUri() {
        if (websocket == null) {
            throw new IllegalStateException("this node has no WebSocket transport");
        }
        return websocket.uri();
    }

    public Optional<WebSocketServerTransport> websocket() {
        return Optional.ofNullable(websocket);
    }

    public Optional<MqttServerTransport> mqtt() {
        return Optional.ofNullable(mqtt);
    }

    /** The MQTT client id of this node's bridge (a persistent session to wipe at the end), if any. */
    public Optional<String> mqttClientId() {
        return Optional.ofNullable(mqttClientId);
    }

    @Override
    public void close() {
        server.close();
        if (websocket != null) {
            websocket.close();
        }
        if (mqtt != null) {
            mqtt.close();
            Cleanup.wipeMqttSessions(TestEnv.mqttUri(), List.of(mqttClientId));
        }
        store.close();
    }

    /** Not thread-safe. */
    public static final class Builder {
        private String nodeId = TestEnv.unique("node");
        private ServerStore store;
        private Authenticator authenticator;
        private ServerOptions.Builder options = ServerOptions.builder();
        private ServerListener listener = ServerListener.NONE;
        private Map<String, String> websocketConfig;
        private Map<String, String> mqttConfig;

        private Builder() {}

        public Builder nodeId(String value) {
            nodeId = requireNonNull(value, "value is null");
            return this;
        }

        /** The store; the node closes it. */
        public Builder store(ServerStore value) {
            store = requireNonNull(value, "value is null");
            return this;
        }

        public Builder authenticator(Authenticator value) {
            authenticator = requireNonNull(value, "value is null");
            return this;
        }

        public Builder options(ServerOptions.Builder value) {
            options = requireNonNull(value, "value is null");
            return this;
        }

        /** The engine's events (connections, refusals, broadcasts and their drops, pages, ...) for a test to count. */
        public Builder listener(ServerListener value) {
            listener = requireNonNull(value, "value is null");
            return this;
        }

        /** A WebSocket transport on 127.0.0.1 and a free port; {@code extra} adds {@code transport.websocket.*} keys. */
        public Builder websocket(Map<String, String> extra) {
            websocketConfig = new HashMap<>(extra);
            websocketConfig.putIfAbsent("host", "127.0.0.1");
            websocketConfig.putIfAbsent("port", "0");
            return this;
        }

        public Builder websocket() {
            return websocket(Map.of());
        }

        /** An MQTT bridge under {@code topicRoot}, on the test broker unless {@code extra} names a {@code uri}; {@code extra} adds {@code transport.mqtt.*} keys. */
        public Builder mqtt(String topicRoot, Map<String, String> extra) {
            mqttConfig = new HashMap<>(extra);
            mqttConfig.putIfAbsent("uri", TestEnv.mqttUri());
            mqttConfig.put("topic-root", topicRoot);
            mqttConfig.putIfAbsent("reconnect-max-delay", "1s");
            return this;
        }

        public Builder mqtt(String topicRoot) {
            return mqtt(topicRoot, Map.of());
        }

        /** Builds and starts the server and its transports. */
        public SyncNode start() {
            requireNonNull(store, "store is required");
            requireNonNull(authenticator, "authenticator is required");
            SyncServer server = SyncServer.builder().store(store).authenticator(authenticator)
                    .options(options.nodeId(nodeId).build()).listener(listener).build();
            server.start();
            TestingPluginContext context = new TestingPluginContext(nodeId);
            List<AutoCloseable> started = new ArrayList<>();
            try {
                WebSocketServerTransport websocket = null;
                if (websocketConfig != null) {
                    websocket = new WebSocketServerTransport(
                            WebSocketServerConfig.from(PluginConfig.of("transport.websocket", websocketConfig)), context);
                    websocket.start(server::accept);
                    started.add(websocket);
                }
                MqttServerTransport mqtt = null;
                String clientId = null;
                if (mqttConfig != null) {
                    MqttServerConfig config = MqttServerConfig.from(PluginConfig.of("transport.mqtt", mqttConfig));
                    clientId = config.clientId().orElse("pocketsync-server-" + nodeId);
                    mqtt = new MqttServerTransport(config, context);
                    mqtt.start(server::accept);
                    started.add(mqtt);
                }
                return new SyncNode(nodeId, store, server, websocket, mqtt, clientId);
            }
            catch (RuntimeException e) {
                server.close();
                for (AutoCloseable closeable : started) {
                    try {
                        closeable.close();
                    }
                    catch (Exception suppressed) {
                        e.addSuppressed(suppressed);
                    }
                }
                store.close();
                throw e;
            }
        }
    }
}
