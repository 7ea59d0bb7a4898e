package io.pocketsync.transport.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.protocol.ErrorMessage;
import io.pocketsync.api.protocol.Hello;
import io.pocketsync.api.protocol.Message;
import io.pocketsync.api.protocol.ProtocolVersion;
import io.pocketsync.testkit.transport.RecordingAcceptor;
import io.pocketsync.testkit.transport.TestingPluginContext;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Raw publishes on the shared broker: bad topics are ignored, bad payloads answered with ERROR on /down. */
class MqttBadInputIT {
    private static final int MAX = 4096;
    private final TestingPluginContext context = new TestingPluginContext("bad-input");
    private final String root = MqttTestSupport.uniqueRoot();
    private final String serverId = "pstest-server-" + UUID.randomUUID();
    private final RecordingAcceptor acceptor = new RecordingAcceptor();
    private final List<Message> downs = new CopyOnWriteArrayList<>();
    private MqttServerTransport server;
    private MqttAsyncClient raw;

    @BeforeEach
    void start() throws Exception {
        server = new MqttServerTransport(MqttServerConfig.from(PluginConfig.of("transport.mqtt", Map.of(
                "uri", MqttTestSupport.brokerUri(), "topic-root", root, "client-id", serverId,
                "max-message-bytes", Integer.toString(MAX)))), context);
        server.start(acceptor);
        raw = new MqttAsyncClient(MqttTestSupport.brokerUri(), "pstest-raw-" + UUID.randomUUID(), new MemoryPersistence());
        MqttConnectOptions options = new MqttConnectOptions();
        options.setCleanSession(true);
        raw.connect(options).waitForCompletion(5000);
        raw.subscribe(root + "/+/+/down", 1, (topic, message) -> downs.add(context.codec("cbor").decode(message.getPayload())))
                .waitForCompletion(5000);
    }

    @AfterEach
    void stop() throws Exception {
        raw.disconnect().waitForCompletion(5000);
        raw.close();
        server.close();
        MqttTestSupport.wipeSessions(MqttTestSupport.brokerUri(), List.of(serverId));
    }

    private void publish(String topic, byte[] payload) throws Exception {
        raw.publish(topic, payload, 1, false).waitForCompletion(5000);
    }

    private byte[] hello(String scope, String device) {
        return context.codec("cbor").encode(new Hello(ProtocolVersion.CURRENT, device, scope, "", 0, Hlc.ZERO));
    }

    @Test
    void topicsWithInvalidSegmentsAreIgnored() throws Exception {
        publish(root + "/s$1/d1/up", hello("s1", "d1"));
        publish(root + "/s1/d1/extra/up", hello("s1", "d1"));
        publish(root + "/" + "a".repeat(129) + "/d1/up", hello("s1", "d1"));
        publish(root + "/s1/d 1/up", hello("s1", "d1"));
        // a valid one afterwards arrives, so the invalid ones (published before it, same client, QoS 1) were dropped
        publish(root + "/s1/d1/up", hello("s1", "d1"));
        await().atMost(Duration.ofSeconds(10)).until(() -> acceptor.connections().size() == 1);
        RecordingAcceptor.Recorded connection = acceptor.connections().get(0);
        assertThat(connection.connection().addressedScope()).contains("s1");
        assertThat(connection.connection().addressedDevice()).contains("d1");
        assertThat(connection.messages()).hasSize(1);
    }

    @Test
    void garbageAndOversizedPayloadsGetAnErrorAndCloseOnlyThatDevice() throws Exception {
        publish(root + "/s1/good/up", hello("s1", "good"));
        await().atMost(Duration.ofSeconds(10)).until(() -> acceptor.byDevice("good").isPresent());

        publish(root + "/s1/garbage/up", new byte[] {(byte) 0xff, 0x01, 0x02});
        publish(root + "/s1/huge/up", new byte[MAX + 1]);
        await().atMost(Duration.ofSeconds(10)).until(() -> downs.size() == 2);
        assertThat(downs).allMatch(m -> m instanceof ErrorMessage);
        assertThat(downs.stream().map(m -> ((ErrorMessage) m).code()))
                .contains(ErrorCode.MESSAGE_TOO_LARGE).hasSize(2);
        assertThat(acceptor.connections().stream().filter(c -> c.closes() == 1)).hasSize(2);

        RecordingAcceptor.Recorded good = acceptor.byDevice("good").orElseThrow();
        assertThat(good.closes()).isZero();
        assertThat(good.connection().send(new io.pocketsync.api.protocol.Pong(ProtocolVersion.CURRENT, 5))).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> downs.size() == 3);
        assertThat(server.connectionCount()).isEqualTo(1);
    }
}
