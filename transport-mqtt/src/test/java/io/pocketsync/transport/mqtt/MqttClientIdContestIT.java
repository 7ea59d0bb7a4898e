package io.pocketsync.transport.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketsync.api.PluginConfig;
import io.pocketsync.testkit.transport.RecordingAcceptor;
import io.pocketsync.testkit.transport.TestingPluginContext;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Two server nodes with the same node id on one broker: the broker takes one client id once and drops the older
 * connection whenever the other connects, so the two bridges take turns losing it. Each node must say so (a WARN with
 * {@code CONFIG_INVALID} and its health detail), where before it only logged "lost the broker, reconnecting" forever.
 */
class MqttClientIdContestIT {
    @Test
    void twoNodesWithOneNodeIdSayTheirClientIdIsContested() {
        String node = "contest-" + UUID.randomUUID().toString().substring(0, 8);
        String uri = MqttTestSupport.brokerUri();
        Map<String, String> keys = Map.of("uri", uri, "topic-root", MqttTestSupport.uniqueRoot(), "reconnect-max-delay", "1s");
        try (MqttServerTransport first = new MqttServerTransport(MqttServerConfig.from(PluginConfig.of("transport.mqtt", keys)),
                     new TestingPluginContext(node));
             MqttServerTransport second = new MqttServerTransport(MqttServerConfig.from(PluginConfig.of("transport.mqtt", keys)),
                     new TestingPluginContext(node))) {
            first.start(new RecordingAcceptor());
            second.start(new RecordingAcceptor());

            await().atMost(Duration.ofSeconds(60)).until(() -> first.clientIdContested() || second.clientIdContested());
        }
        finally {
            MqttTestSupport.wipeSessions(uri, List.of("pocketsync-server-" + node));
        }
    }
}
