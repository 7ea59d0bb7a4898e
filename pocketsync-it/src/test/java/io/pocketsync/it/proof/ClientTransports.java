package io.pocketsync.it.proof;

import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.transport.ClientTransport;
import io.pocketsync.testkit.transport.TestingPluginContext;
import io.pocketsync.transport.mqtt.MqttClientConfig;
import io.pocketsync.transport.mqtt.MqttClientTransport;
import io.pocketsync.transport.websocket.WebSocketClientConfig;
import io.pocketsync.transport.websocket.WebSocketClientTransport;
import java.util.Map;

/** Device-side transports with quick reconnects, as the proof tests want them. */
final class ClientTransports {
    private ClientTransports() {}

    static ClientTransport websocket(String name) {
        return new WebSocketClientTransport(WebSocketClientConfig.from(PluginConfig.of("transport.websocket", Map.of(
                "reconnect-initial-delay", "50ms", "reconnect-max-delay", "400ms", "heartbeat-interval", "2s",
                "connect-timeout", "2s"))), new TestingPluginContext(name));
    }

    static ClientTransport mqtt(String name, String topicRoot) {
        return new MqttClientTransport(MqttClientConfig.from(PluginConfig.of("transport.mqtt", Map.of(
                "topic-root", topicRoot, "reconnect-initial-delay", "50ms", "reconnect-max-delay", "400ms",
                "keep-alive", "2s", "connect-timeout", "2s"))), new TestingPluginContext(name));
    }
}
