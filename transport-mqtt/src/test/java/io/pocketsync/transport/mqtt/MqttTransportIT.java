package io.pocketsync.transport.mqtt;

import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.transport.ClientTransport;
import io.pocketsync.api.transport.ServerTransport;
import io.pocketsync.testkit.transport.AbstractTransportContractTest;
import io.pocketsync.testkit.transport.RecordingClientListener;
import io.pocketsync.testkit.transport.TestingPluginContext;
import java.net.URI;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.BeforeEach;

/** The transport contract through the shared Mosquitto broker, on a topic root of its own per test. */
class MqttTransportIT extends AbstractTransportContractTest {
    private final Set<String> clientIds = ConcurrentHashMap.newKeySet();
    private String root;
    private String serverClientId;

    @BeforeEach
    void isolate() {
        root = MqttTestSupport.uniqueRoot();
        serverClientId = "pstest-server-" + UUID.randomUUID();
        clientIds.add(serverClientId);
    }

    @Override
    protected ServerTransport newServer() {
        return new MqttServerTransportProvider().create(PluginConfig.of("transport.mqtt", Map.of(
                "uri", MqttTestSupport.brokerUri(),
                "topic-root", root,
                "client-id", serverClientId,
                "max-message-bytes", Integer.toString(maxMessageBytes()),
                "max-queued-messages", Integer.toString(maxQueuedMessages()))), new TestingPluginContext("server"));
    }

    @Override
    protected ClientTransport newClient() {
        return new MqttClientTransportProvider().create(PluginConfig.of("transport.mqtt", Map.of(
                "topic-root", root,
                "max-message-bytes", Integer.toString(maxMessageBytes()),
                "reconnect-initial-delay", "50ms",
                "reconnect-max-delay", "500ms")), new TestingPluginContext("device"));
    }

    @Override
    protected ClientTransport startClient(String deviceId, RecordingClientListener listener) {
        clientIds.add("ps:" + scope + ":" + deviceId);
        return super.startClient(deviceId, listener);
    }

    @Override
    protected URI serverUri() {
        return URI.create(MqttTestSupport.brokerUri());
    }

    @Override
    protected boolean clientSeesServerRestart() {
        return false;
    }

    @Override
    protected boolean serverObservesSlowClients() {
        return false;
    }

    @Override
    protected void afterClose() {
        MqttTestSupport.wipeSessions(MqttTestSupport.brokerUri(), clientIds);
        clientIds.clear();
    }
}
