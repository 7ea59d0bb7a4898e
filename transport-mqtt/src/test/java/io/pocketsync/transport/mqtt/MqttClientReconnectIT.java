package io.pocketsync.transport.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.protocol.Hello;
import io.pocketsync.api.protocol.Message;
import io.pocketsync.api.protocol.Ping;
import io.pocketsync.api.protocol.Pong;
import io.pocketsync.api.protocol.ProtocolVersion;
import io.pocketsync.api.transport.ClientTransport;
import io.pocketsync.api.transport.Endpoint;
import io.pocketsync.testkit.transport.RecordingAcceptor;
import io.pocketsync.testkit.transport.TestingPluginContext;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code reconnect()} calls that land while a connect is in progress (the engine asks for a reconnect whenever
 * it likes). They once left the engine told "disconnected" about a connection that was in fact up: the extra
 * connect failed with "already connected", which was reported as another disconnect, forever; a device kept its
 * pending changes while still receiving broadcasts.
 */
class MqttClientReconnectIT {
    private final String root = MqttTestSupport.uniqueRoot();
    private final String serverClientId = "pstest-server-" + UUID.randomUUID();
    private final String scope = "scope-" + UUID.randomUUID().toString().substring(0, 8);

    @AfterEach
    void wipe() {
        MqttTestSupport.wipeSessions(MqttTestSupport.brokerUri(), List.of(serverClientId, "ps:" + scope + ":d1"));
    }

    @Test
    void reconnectsDuringAConnectEndConnectedAndTheListenerKnows() {
        RecordingAcceptor acceptor = new RecordingAcceptor().onMessage((connection, message) -> {
            if (message instanceof Ping ping) {
                connection.send(new Pong(ProtocolVersion.CURRENT, ping.nonce()));
            }
        });
        LastEvent events = new LastEvent();
        try (MqttServerTransport server = new MqttServerTransport(MqttServerConfig.from(PluginConfig.of("transport.mqtt",
                     Map.of("uri", MqttTestSupport.brokerUri(), "topic-root", root, "client-id", serverClientId))),
                     new TestingPluginContext("server"));
             MqttClientTransport client = new MqttClientTransport(MqttClientConfig.from(PluginConfig.of("transport.mqtt",
                     Map.of("topic-root", root, "reconnect-initial-delay", "1ms", "reconnect-max-delay", "20ms"))),
                     new TestingPluginContext("device"))) {
            server.start(acceptor);
            client.start(new Endpoint(URI.create(MqttTestSupport.brokerUri()), scope, "d1"), events);
            for (int i = 0; i < 40; i++) {
                client.reconnect(); // many of these land while the previous connect is still in progress
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> client.isConnected() && events.connectedLast());
            assertThat(client.send(new Hello(ProtocolVersion.CURRENT, "d1", scope, "", 0, Hlc.ZERO))).isTrue();
            assertThat(client.send(new Ping(ProtocolVersion.CURRENT, 7))).isTrue();
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> events.messages.stream().anyMatch(m -> m instanceof Pong pong && pong.nonce() == 7));
            assertThat(events.connectedLast()).isTrue();
        }
    }

    /** Records whether the last connection event was a connect. */
    private static final class LastEvent implements ClientTransport.Listener {
        final List<Message> messages = new CopyOnWriteArrayList<>();
        private volatile boolean connected;

        @Override
        public void onConnected() {
            connected = true;
        }

        @Override
        public void onMessage(Message message) {
            messages.add(message);
        }

        @Override
        public void onDisconnected(ErrorCode code, String reason) {
            connected = false;
        }

        boolean connectedLast() {
            return connected;
        }
    }
}
