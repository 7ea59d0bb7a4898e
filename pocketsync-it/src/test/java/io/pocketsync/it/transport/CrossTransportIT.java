package io.pocketsync.it.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketsync.it.support.Cleanup;
import io.pocketsync.it.support.SqliteFiles;
import io.pocketsync.it.support.StoreRows;
import io.pocketsync.it.support.SyncNode;
import io.pocketsync.it.support.TestDevice;
import io.pocketsync.it.support.TestEnv;
import io.pocketsync.it.support.Tokens;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One SyncServer serving WebSocket and MQTT at once: devices of one scope on different transports sync with each other. */
class CrossTransportIT {
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    @TempDir
    Path dir;
    private final Tokens tokens = new Tokens();
    private final String scope = TestEnv.unique("scope");
    private final String topicRoot = TestEnv.uniqueTopicRoot();
    private SyncNode node;
    private TestDevice websocketDevice;
    private TestDevice mqttDevice;

    @BeforeEach
    void start() {
        node = SyncNode.builder().store(SyncNode.sqliteStore(dir, "both")).authenticator(tokens.authenticator())
                .websocket().mqtt(topicRoot).start();
        websocketDevice = TestDevice.websocket(dir.resolve("ws.db"), node.websocketUri(), scope, tokens.forScope(scope)).start();
        mqttDevice = TestDevice.mqtt(dir.resolve("mqtt.db"), topicRoot, scope, tokens.forScope(scope)).start();
    }

    @AfterEach
    void closeAll() {
        String mqttClientId = mqttDevice.mqttClientId();
        websocketDevice.close();
        mqttDevice.close();
        node.close();
        List<String> sessions = new ArrayList<>();
        if (mqttClientId != null) {
            sessions.add(mqttClientId);
        }
        Cleanup.wipeMqttSessions(TestEnv.mqttUri(), sessions);
    }

    @Test
    void liveChangesCrossTransportsBothWays() {
        mqttDevice.insertItem("from-mqtt", "sensor", 1);
        await().atMost(PATIENCE).until(() -> "sensor".equals(websocketDevice.itemName("from-mqtt")));

        websocketDevice.insertItem("from-ws", "dashboard", 2);
        websocketDevice.execute("UPDATE items SET qty = 99 WHERE id = 'from-mqtt'");
        await().atMost(PATIENCE).until(() -> "dashboard".equals(mqttDevice.itemName("from-ws"))
                && mqttDevice.items().stream().anyMatch(r -> "from-mqtt".equals(r.get("id")) && Long.valueOf(99).equals(r.get("qty"))));

        mqttDevice.execute("DELETE FROM items WHERE id = 'from-ws'");
        await().atMost(PATIENCE).until(() -> websocketDevice.itemName("from-ws") == null);
        assertConverged();
    }

    @Test
    void anOfflineMqttDeviceCatchesUpWebSocketChanges() {
        mqttDevice.insertItem("m0", "before", 0);
        await().atMost(PATIENCE).until(() -> websocketDevice.itemName("m0") != null);
        mqttDevice.close();

        for (int i = 0; i < 20; i++) {
            websocketDevice.insertItem("ws-" + i, "while mqtt was away", i);
        }
        websocketDevice.execute("UPDATE items SET name = 'changed over ws' WHERE id = 'm0'");
        await().atMost(PATIENCE).until(() -> websocketDevice.engine().pendingCount() == 0);

        mqttDevice.start();
        await().atMost(PATIENCE).until(() -> mqttDevice.items().size() == 21 && "changed over ws".equals(mqttDevice.itemName("m0")));
        assertConverged();
    }

    @Test
    void anOfflineWebSocketDeviceCatchesUpMqttChanges() {
        websocketDevice.insertItem("w0", "before", 0);
        await().atMost(PATIENCE).until(() -> mqttDevice.itemName("w0") != null);
        websocketDevice.close();

        for (int i = 0; i < 20; i++) {
            mqttDevice.insertItem("mqtt-" + i, "while ws was away", i);
        }
        mqttDevice.execute("DELETE FROM items WHERE id = 'w0'");
        await().atMost(PATIENCE).until(() -> mqttDevice.engine().pendingCount() == 0);

        websocketDevice.start();
        await().atMost(PATIENCE).until(() -> websocketDevice.items().size() == 20 && websocketDevice.itemName("w0") == null);
        assertConverged();
    }

    private void assertConverged() {
        await().atMost(PATIENCE).untilAsserted(() -> {
            assertThat(mqttDevice.items()).isEqualTo(websocketDevice.items());
            assertThat(StoreRows.liveRows(node.store(), scope, SqliteFiles.ITEMS)).isEqualTo(websocketDevice.items());
        });
    }
}
