package io.pocketsync.it.proof;

import io.pocketsync.api.model.Scope;
import io.pocketsync.api.store.ServerStore;
import io.pocketsync.api.transport.ClientTransport;
import io.pocketsync.store.redis.RedisServerStore;
import io.pocketsync.store.redis.RedisStoreConfig;
import io.pocketsync.store.sqlite.SqliteServerStore;
import io.pocketsync.store.sqlite.SqliteStoreConfig;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The servers a proof test runs against: stores, nodes and the transport each device uses. Device
 * {@code i} is assigned round-robin to the nodes. Owns and closes everything it started, and deletes
 * the Redis keys and MQTT sessions it created.
 */
final class Topology implements AutoCloseable {
    enum Kind {
        WS_SQLITE, MQTT_SQLITE, WS_REDIS_TWO_NODES, WS_AND_MQTT_REDIS_TWO_NODES,
        /** A WebSocket server this object did not start (e.g. a child JVM); {@link #store()} reads its data. */
        EXTERNAL_WS
    }

    private final Kind kind;
    private final String unique = UUID.randomUUID().toString().substring(0, 8);
    private final Scope scope = Scope.of("proof-" + unique);
    private final String topicRoot = "ps-it-proof/" + unique;
    private final String redisPrefix = "ps-it-proof-" + unique;
    private final List<ServerStore> stores = new ArrayList<>();
    private final List<ServerNode> nodes = new ArrayList<>();
    private final List<String> mqttClientIds = new ArrayList<>();
    private final RunTrace trace = new RunTrace();
    private URI externalUri;
    private String redisUri = Env.redisUri();
    private String mqttUri = Env.mqttUri();

    private Topology(Kind kind) {
        this.kind = kind;
    }

    /**
     * The topologies a seeded test runs: {@code ciVariants} by default, the one named by {@code -Dpocketsync.variant},
     * or all with {@code -Dpocketsync.variant=ALL} ({@link Kind#EXTERNAL_WS} never: it needs a server started elsewhere).
     */
    static java.util.List<Kind> chosen(java.util.List<Kind> ciVariants) {
        String only = System.getProperty("pocketsync.variant", "");
        java.util.List<Kind> kinds = new java.util.ArrayList<>();
        for (Kind kind : Kind.values()) {
            if (kind != Kind.EXTERNAL_WS
                    && (only.isBlank() ? ciVariants.contains(kind) : only.equals("ALL") || only.equals(kind.name()))) {
                kinds.add(kind);
            }
        }
        return kinds;
    }

    static Topology start(Kind kind, Path dir) {
        return start(kind, dir, Env.redisUri(), Env.mqttUri());
    }

    /** Like {@link #start(Kind, Path)} against a given Redis and broker (e.g. private ones a test restarts). */
    static Topology start(Kind kind, Path dir, String redisUri, String mqttUri) {
        Topology topology = new Topology(kind);
        topology.redisUri = redisUri;
        topology.mqttUri = mqttUri;
        try {
            switch (kind) {
                case WS_SQLITE -> topology.nodes.add(ServerNode.of("n1", topology.sqlite(dir)).websocket(Ports.free()));
                case MQTT_SQLITE -> topology.nodes.add(topology.mqttNode(ServerNode.of("n1", topology.sqlite(dir))));
                case WS_REDIS_TWO_NODES -> {
                    topology.nodes.add(ServerNode.of("n1", topology.redis("n1")).websocket(Ports.free()));
                    topology.nodes.add(ServerNode.of("n2", topology.redis("n2")).websocket(Ports.free()));
                }
                case WS_AND_MQTT_REDIS_TWO_NODES -> {
                    topology.nodes.add(ServerNode.of("n1", topology.redis("n1")).websocket(Ports.free()));
                    topology.nodes.add(topology.mqttNode(ServerNode.of("n2", topology.redis("n2"))));
                }
                case EXTERNAL_WS -> throw new IllegalArgumentException("use external()");
            }
            return topology;
        }
        catch (RuntimeException e) {
            topology.close();
            throw e;
        }
    }

    /** Devices connect to {@code uri}; {@code reader} (closed with this) reads the server's state. */
    static Topology external(URI uri, ServerStore reader) {
        Topology topology = new Topology(Kind.EXTERNAL_WS);
        topology.externalUri = uri;
        if (reader != null) {
            topology.stores.add(reader);
        }
        return topology;
    }

    private ServerStore sqlite(Path dir) {
        ServerStore store = new TracingServerStore(new SqliteServerStore(SqliteStoreConfig.at(dir.resolve("server-" + unique + ".db")),
                "n1", Clock.systemUTC()), "n1", trace);
        stores.add(store);
        return store;
    }

    private ServerStore redis(String nodeId) {
        ServerStore store = new TracingServerStore(new RedisServerStore(new RedisStoreConfig(redisUri, redisPrefix,
                Duration.ofSeconds(2), Duration.ofSeconds(2), 50), nodeId, Clock.systemUTC()), nodeId, trace);
        stores.add(store);
        return store;
    }

    private ServerNode mqttNode(ServerNode node) {
        node.mqtt(mqttUri, topicRoot);
        mqttClientIds.add(node.mqttClientId(topicRoot));
        return node;
    }

    private boolean mqttDevice(int index) {
        return kind == Kind.MQTT_SQLITE || (kind == Kind.WS_AND_MQTT_REDIS_TWO_NODES && index % 2 == 1);
    }

    URI deviceUri(int index) {
        if (externalUri != null) {
            return externalUri;
        }
        return mqttDevice(index) ? URI.create(mqttUri) : nodes.get(index % nodes.size()).websocketUri();
    }

    ClientTransport newTransport(int index, String name) {
        return mqttDevice(index) ? ClientTransports.mqtt(name, topicRoot) : ClientTransports.websocket(name);
    }

    /** What the stores and devices did in this run (the stores this topology started record into it). */
    RunTrace trace() {
        return trace;
    }

    /**
     * Remembers a device's persistent MQTT session so {@link #close()} removes it from the broker, and names
     * the device in the trace.
     */
    void deviceStarted(int index, String deviceId) {
        trace.nameDevice(deviceId, "d" + index);
        if (mqttDevice(index)) {
            String clientId = "ps:" + scope.name() + ":" + deviceId;
            if (!mqttClientIds.contains(clientId)) {
                mqttClientIds.add(clientId);
            }
        }
    }

    Scope scope() {
        return scope;
    }

    /** A store to read the server's state from (any node's: they share the data). */
    ServerStore store() {
        return stores.get(0);
    }

    List<ServerNode> nodes() {
        return nodes;
    }

    Kind kind() {
        return kind;
    }

    @Override
    public void close() {
        for (ServerNode node : nodes) {
            node.close();
        }
        for (ServerStore store : stores) {
            store.close();
        }
        if (kind == Kind.WS_REDIS_TWO_NODES || kind == Kind.WS_AND_MQTT_REDIS_TWO_NODES) {
            RedisKeyCleaner.deletePrefix(redisUri, redisPrefix);
        }
        if (!mqttClientIds.isEmpty()) {
            MqttSessions.wipe(mqttUri, mqttClientIds);
        }
    }
}
