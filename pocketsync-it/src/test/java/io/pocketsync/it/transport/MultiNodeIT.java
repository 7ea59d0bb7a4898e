package io.pocketsync.it.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.model.RowState;
import io.pocketsync.api.model.Scope;
import io.pocketsync.it.support.Cleanup;
import io.pocketsync.it.support.SqliteFiles;
import io.pocketsync.it.support.StoreRows;
import io.pocketsync.it.support.SyncNode;
import io.pocketsync.it.support.TestDevice;
import io.pocketsync.it.support.TestEnv;
import io.pocketsync.it.support.Tokens;
import io.pocketsync.server.engine.ServerListener;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two server nodes sharing one Redis prefix (two RedisServerStore instances) and one MQTT topic root; each node
 * has its own WebSocket port and its own MQTT bridge, so every MQTT up message reaches both nodes. Both serve the MQTT
 * device: neither closes its session because the other opened one (before, each node's session claim closed the
 * other's, and the device flapped between {@code SESSION_REPLACED} and {@code HELLO_REQUIRED} for as long as it ran).
 */
class MultiNodeIT {
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    @TempDir
    Path dir;
    private final Tokens tokens = new Tokens();
    private final String scope = TestEnv.unique("scope");
    private final String topicRoot = TestEnv.uniqueTopicRoot();
    private final String redisPrefix = TestEnv.unique("psit");
    private SyncNode node1;
    private SyncNode node2;
    private TestDevice onNode1;
    private TestDevice onNode2;
    private TestDevice sensor;
    /** Errors the nodes sent that tell a device its session is gone: none may be sent in these tests. */
    private final Map<ErrorCode, AtomicInteger> sessionErrors = new ConcurrentHashMap<>();

    @BeforeEach
    void start() {
        ServerListener sessionsLost = new ServerListener() {
            @Override
            public void errorSent(ErrorCode code) {
                if (code == ErrorCode.SESSION_REPLACED || code == ErrorCode.HELLO_REQUIRED) {
                    sessionErrors.computeIfAbsent(code, c -> new AtomicInteger()).incrementAndGet();
                }
            }
        };
        node1 = SyncNode.builder().nodeId(TestEnv.unique("n1")).store(SyncNode.redisStore(redisPrefix, "n1"))
                .authenticator(tokens.authenticator()).listener(sessionsLost).websocket().mqtt(topicRoot).start();
        node2 = SyncNode.builder().nodeId(TestEnv.unique("n2")).store(SyncNode.redisStore(redisPrefix, "n2"))
                .authenticator(tokens.authenticator()).listener(sessionsLost).websocket().mqtt(topicRoot).start();
        onNode1 = TestDevice.websocket(dir.resolve("one.db"), node1.websocketUri(), scope, tokens.forScope(scope)).start();
        onNode2 = TestDevice.websocket(dir.resolve("two.db"), node2.websocketUri(), scope, tokens.forScope(scope)).start();
        sensor = TestDevice.mqtt(dir.resolve("sensor.db"), topicRoot, scope, tokens.forScope(scope)).start();
    }

    @AfterEach
    void closeAll() {
        List<String> sessions = new ArrayList<>();
        if (sensor.mqttClientId() != null) {
            sessions.add(sensor.mqttClientId());
        }
        onNode1.close();
        onNode2.close();
        sensor.close();
        node1.close();
        node2.close();
        Cleanup.wipeMqttSessions(TestEnv.mqttUri(), sessions);
        Cleanup.deleteRedisKeys(TestEnv.redisUri(), redisPrefix);
    }

    @Test
    void devicesOnDifferentNodesSeeEachOthersWritesLive() {
        onNode1.insertItem("n1-row", "written on node 1", 1);
        await().atMost(PATIENCE).until(() -> "written on node 1".equals(onNode2.itemName("n1-row")));
        onNode2.execute("UPDATE items SET name = 'edited on node 2' WHERE id = 'n1-row'");
        onNode2.insertItem("n2-row", "written on node 2", 2);
        await().atMost(PATIENCE).until(() -> "edited on node 2".equals(onNode1.itemName("n1-row"))
                && "written on node 2".equals(onNode1.itemName("n2-row")));
        assertConverged();
    }

    @Test
    void mqttPushesHandledByBothNodesAreAppliedExactlyOnce() {
        int inserts = 30;
        for (int i = 0; i < inserts; i++) {
            sensor.insertItem("reading-" + i, "t=" + i, i);
        }
        await().atMost(PATIENCE).until(() -> onNode1.items().size() == inserts && onNode2.items().size() == inserts);
        await().atMost(PATIENCE).until(() -> sensor.engine().pendingCount() == 0);
        assertConverged();

        // inserts only: every pushed change created one row, so each must own exactly one sequence, 1..n gap-free
        List<RowState> rows = StoreRows.all(node1.store(), scope);
        assertThat(rows).hasSize(inserts);
        assertThat(rows).allSatisfy(row -> assertThat(row.firstSequence()).isEqualTo(row.lastSequence()));
        assertThat(rows.stream().map(RowState::lastSequence).sorted().collect(Collectors.toList()))
                .containsExactlyElementsOf(LongStream.rangeClosed(1, inserts).boxed().collect(Collectors.toList()));
        assertThat(node1.store().info(Scope.of(scope)).head()).isEqualTo(inserts);
        assertThat(node2.store().info(Scope.of(scope)).head()).isEqualTo(inserts);
        assertThat(rows.stream().map(RowState::lastChangeId).distinct()).hasSize(inserts);
        assertThat(sessionErrors).as("sessions closed while both nodes served the MQTT device").isEmpty();
    }

    @Test
    void anOfflineDeviceCatchesUpFromTheOtherNode() {
        onNode2.insertItem("seed", "seen by all", 0);
        await().atMost(PATIENCE).until(() -> onNode1.itemName("seed") != null && sensor.itemName("seed") != null);
        onNode2.close();

        for (int i = 0; i < 15; i++) {
            onNode1.insertItem("while-away-" + i, "from node 1", i);
        }
        sensor.insertItem("sensor-while-away", "from mqtt", 7);
        onNode1.execute("UPDATE items SET name = 'updated on node 1' WHERE id = 'seed'");
        await().atMost(PATIENCE).until(() -> onNode1.engine().pendingCount() == 0 && sensor.engine().pendingCount() == 0);

        // it was a node-2 device; it comes back through node 1
        onNode2.connectTo("websocket", node1.websocketUri(), Map.of()).start();
        await().atMost(PATIENCE).until(() -> onNode2.items().size() == 17 && "updated on node 1".equals(onNode2.itemName("seed")));
        assertConverged();
    }

    private void assertConverged() {
        await().atMost(PATIENCE).untilAsserted(() -> {
            List<Map<String, Object>> expected = StoreRows.liveRows(node1.store(), scope, SqliteFiles.ITEMS);
            assertThat(StoreRows.liveRows(node2.store(), scope, SqliteFiles.ITEMS)).isEqualTo(expected);
            assertThat(onNode1.items()).isEqualTo(expected);
            assertThat(onNode2.items()).isEqualTo(expected);
            assertThat(sensor.items()).isEqualTo(expected);
        });
    }
}
