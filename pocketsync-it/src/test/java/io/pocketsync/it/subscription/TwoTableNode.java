package io.pocketsync.it.subscription;

import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.transport.ClientTransport;
import io.pocketsync.device.PocketSyncDevice;
import io.pocketsync.it.support.Cleanup;
import io.pocketsync.it.support.SqliteFiles;
import io.pocketsync.it.support.SyncNode;
import io.pocketsync.it.support.TestEnv;
import io.pocketsync.it.support.Tokens;
import io.pocketsync.server.engine.ServerOptions;
import io.pocketsync.testkit.transport.TestingPluginContext;
import io.pocketsync.transport.mqtt.MqttClientConfig;
import io.pocketsync.transport.mqtt.MqttClientTransport;
import io.pocketsync.transport.websocket.WebSocketClientConfig;
import io.pocketsync.transport.websocket.WebSocketClientTransport;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the subscription ITs share: one server node on a store and a transport (unique scope, topics and keys), device
 * files of two tables ({@code todo}, {@code note}), devices started on a given transport, and the clean-up.
 */
final class TwoTableNode implements AutoCloseable {
    private final Path dir;
    private final String transport;
    private final Tokens tokens = new Tokens();
    private final String scope;
    private final String topicRoot = TestEnv.uniqueTopicRoot();
    private final String redisPrefix;
    private final List<PocketSyncDevice> devices = new ArrayList<>();
    private final List<String> mqttSessions = new ArrayList<>();
    private final SyncNode node;

    TwoTableNode(Path dir, String store, String transport, String name, int pageRows) {
        this.dir = dir;
        this.transport = transport;
        this.scope = TestEnv.unique(name);
        this.redisPrefix = TestEnv.unique("psit-" + name);
        SyncNode.Builder builder = SyncNode.builder()
                .store(SyncNode.store(store, dir, redisPrefix, "n1"))
                .authenticator(tokens.authenticator()).options(ServerOptions.builder().pageRows(pageRows));
        this.node = ("websocket".equals(transport) ? builder.websocket() : builder.mqtt(topicRoot)).start();
    }

    /** A device file with empty {@code todo} and {@code note} tables. */
    Path database(String name) {
        Path file = dir.resolve(name);
        SqliteFiles.execute(file, "CREATE TABLE IF NOT EXISTS todo (id TEXT PRIMARY KEY, title TEXT)");
        SqliteFiles.execute(file, "CREATE TABLE IF NOT EXISTS note (id TEXT PRIMARY KEY, body TEXT)");
        return file;
    }

    /** A started device of {@code file} tracking {@code tables} through {@code client}. */
    PocketSyncDevice start(Path file, List<String> tables, ClientTransport client) {
        URI server = "websocket".equals(transport) ? node.websocketUri() : URI.create(TestEnv.mqttUri());
        PocketSyncDevice device = PocketSyncDevice.builder().database(file).tables(tables).scope(scope)
                .token(tokens.forScope(scope)).server(server).transport(client).build();
        device.start();
        devices.add(device);
        mqttSessions.add("ps:" + scope + ":" + device.deviceId());
        return device;
    }

    /** Closes {@code device} now (a stop or a kill between two starts of its file). */
    void stop(PocketSyncDevice device) {
        device.close();
        devices.remove(device);
    }

    /** A client transport of this node's kind that reconnects quickly. */
    ClientTransport client(String name) {
        if ("websocket".equals(transport)) {
            return new WebSocketClientTransport(WebSocketClientConfig.from(PluginConfig.of("transport.websocket", Map.of(
                    "reconnect-initial-delay", "50ms", "reconnect-max-delay", "400ms"))), new TestingPluginContext(name));
        }
        return new MqttClientTransport(MqttClientConfig.from(PluginConfig.of("transport.mqtt", Map.of(
                "topic-root", topicRoot, "reconnect-initial-delay", "50ms", "reconnect-max-delay", "400ms"))),
                new TestingPluginContext(name));
    }

    @Override
    public void close() {
        devices.forEach(PocketSyncDevice::close);
        Cleanup.afterNode(node, mqttSessions, redisPrefix);
    }
}
