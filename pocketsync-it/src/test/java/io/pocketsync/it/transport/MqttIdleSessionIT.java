package io.pocketsync.it.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.protocol.ErrorMessage;
import io.pocketsync.api.protocol.Message;
import io.pocketsync.it.support.Cleanup;
import io.pocketsync.it.support.SyncNode;
import io.pocketsync.it.support.TestDevice;
import io.pocketsync.it.support.TestEnv;
import io.pocketsync.it.support.Tokens;
import io.pocketsync.testkit.transport.TestingPluginContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The MQTT bridge drops a device's virtual connection after {@code idle-timeout} while the device's broker
 * connection stays up (MQTT keep-alive is not protocol traffic). The device must learn of it and start a new
 * session, or its pushes are answered HELLO_REQUIRED forever and broadcasts never reach it.
 */
class MqttIdleSessionIT {
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    @TempDir
    Path dir;

    @Test
    void aDeviceWhoseSessionWasClosedForIdlenessKeepsSyncing() throws Exception {
        Tokens tokens = new Tokens();
        String scope = TestEnv.unique("scope");
        String root = TestEnv.uniqueTopicRoot();
        TestingPluginContext codecs = new TestingPluginContext("idle-watch");
        List<Message> down = new CopyOnWriteArrayList<>();
        try (SyncNode node = SyncNode.builder().store(SyncNode.sqliteStore(dir, "idle")).authenticator(tokens.authenticator())
                .websocket().mqtt(root, Map.of("idle-timeout", "1s")).start();
             TestDevice sensor = TestDevice.mqtt(dir.resolve("sensor.db"), root, scope, tokens.forScope(scope)).start();
             TestDevice reader = TestDevice.websocket(dir.resolve("reader.db"), node.websocketUri(), scope, tokens.forScope(scope)).start();
             MqttClient watcher = new MqttClient(TestEnv.mqttUri(), "psit-watch-" + UUID.randomUUID(), new MemoryPersistence())) {
            MqttConnectOptions options = new MqttConnectOptions();
            options.setCleanSession(true);
            watcher.connect(options);
            watcher.subscribe(root + "/" + scope + "/" + sensor.deviceId() + "/down", 1, (topic, message) -> {
                byte[] payload = message.getPayload();
                down.add(codecs.codec(payload.length > 0 && payload[0] == '{' ? "json" : "cbor").decode(payload));
            });
            sensor.insertItem("first", "before the idle close", 1);
            await().atMost(PATIENCE).until(() -> reader.itemName("first") != null);

            await().atMost(PATIENCE).until(() -> down.stream().anyMatch(m -> m instanceof ErrorMessage e
                    && e.code() == ErrorCode.HELLO_REQUIRED));
            reader.insertItem("to-sensor", "after the idle close", 2);
            sensor.insertItem("from-sensor", "after the idle close", 3);
            await().atMost(PATIENCE).until(() -> reader.itemName("from-sensor") != null && sensor.itemName("to-sensor") != null);
            await().atMost(PATIENCE).untilAsserted(() -> assertThat(sensor.items()).isEqualTo(reader.items()));
            watcher.disconnect();
            Cleanup.wipeMqttSessions(TestEnv.mqttUri(), List.of(sensor.mqttClientId()));
        }
    }
}
