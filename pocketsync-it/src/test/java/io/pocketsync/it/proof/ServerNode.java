package io.pocketsync.it.proof;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.store.ServerStore;
import io.pocketsync.api.transport.ServerTransport;
import io.pocketsync.server.engine.auth.AnonymousAuthenticator;
import io.pocketsync.server.engine.LoginLimits;
import io.pocketsync.server.engine.ServerOptions;
import io.pocketsync.server.engine.SyncServer;
import io.pocketsync.testkit.transport.TestingPluginContext;
import io.pocketsync.transport.mqtt.MqttServerConfig;
import io.pocketsync.transport.mqtt.MqttServerTransport;
import io.pocketsync.transport.websocket.WebSocketServerConfig;
import io.pocketsync.transport.websocket.WebSocketServerTransport;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One server node: a started {@link SyncServer} over a store it does not own, plus the transports
 * that feed it. Closing stops the server and then its transports (the store stays open).
 */
final class ServerNode implements AutoCloseable {
    private final String nodeId;
    /** Handshakes one address may have pending: the whole simulated fleet's. */
    private static final int FLEET_PENDING_HANDSHAKES = 100_000;

    private final SyncServer server;
    private final List<ServerTransport> transports = new ArrayList<>();
    private URI websocketUri;

    private ServerNode(String nodeId, ServerStore store) {
        this.nodeId = requireNonNull(nodeId, "nodeId is null");
        // every simulated device connects from 127.0.0.1, one address standing for a whole fleet (a big NAT): the
        // bound on handshakes pending per address is raised out of the way, as an operator would for such a NAT
        this.server = SyncServer.builder().store(store).authenticator(new AnonymousAuthenticator(Set.of()))
                .options(ServerOptions.builder().nodeId(nodeId).loginLimits(LoginLimits.builder()
                        .maxPendingHandshakesPerAddress(FLEET_PENDING_HANDSHAKES).build()).build()).build();
        server.start();
    }

    static ServerNode of(String nodeId, ServerStore store) {
        return new ServerNode(nodeId, store);
    }

    /** Adds a WebSocket listener on 127.0.0.1:{@code port}. */
    ServerNode websocket(int port) {
        WebSocketServerTransport transport = new WebSocketServerTransport(WebSocketServerConfig.from(PluginConfig.of(
                "transport.websocket", Map.of("port", Integer.toString(port), "heartbeat-interval", "5s",
                        "max-pending-handshakes-per-address", Integer.toString(FLEET_PENDING_HANDSHAKES)))),
                new TestingPluginContext(nodeId));
        transport.start(server::accept);
        transports.add(transport);
        websocketUri = URI.create("ws://127.0.0.1:" + port + "/sync");
        return this;
    }

    /** Adds an MQTT bridge to {@code brokerUri} under {@code topicRoot}. */
    ServerNode mqtt(String brokerUri, String topicRoot) {
        MqttServerTransport transport = new MqttServerTransport(MqttServerConfig.from(PluginConfig.of("transport.mqtt", Map.of(
                "uri", brokerUri, "topic-root", topicRoot, "client-id", mqttClientId(topicRoot),
                "reconnect-max-delay", "1s", "keep-alive", "5s"))), new TestingPluginContext(nodeId));
        transport.start(server::accept);
        transports.add(transport);
        return this;
    }

    String mqttClientId(String topicRoot) {
        return "ps-it-" + nodeId + "-" + Integer.toHexString(topicRoot.hashCode());
    }

    URI websocketUri() {
        return websocketUri;
    }

    SyncServer server() {
        return server;
    }

    @Override
    public void close() {
        server.close();
        for (ServerTransport transport : transports) {
            transport.close();
        }
    }
}
