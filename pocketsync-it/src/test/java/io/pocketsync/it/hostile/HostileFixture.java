package io.pocketsync.it.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketsync.api.model.RowState;
import io.pocketsync.server.engine.ServerOptions;
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
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real SyncServer (SQLite store, WebSocket and MQTT, HMAC tokens, small limits) with two well-behaved devices
 * of a "good" scope, and the checks that run after every hostile case: the good scope's stored rows did not
 * change, and a new change from one good device still reaches the other.
 */
final class HostileFixture implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HostileFixture.class);
    private static final Duration PATIENCE = Duration.ofSeconds(20);

    final Tokens tokens = new Tokens();
    final String goodScope = TestEnv.unique("good");
    final String evilScope = TestEnv.unique("evil");
    final String topicRoot = TestEnv.uniqueTopicRoot();
    final SyncNode node;
    final TestDevice writer;
    final TestDevice reader;
    final String goodGlobalId;
    private final List<String> failures = new ArrayList<>();
    private int probes;

    /** @param writerOverMqtt whether the good device that writes uses MQTT (else WebSocket); the reader uses WebSocket */
    HostileFixture(Path dir, boolean writerOverMqtt) {
        Map<String, String> limits = Map.of("max-message-bytes", Integer.toString(HostileCases.MAX_MESSAGE_BYTES));
        node = SyncNode.builder().store(SyncNode.sqliteStore(dir, "hostile")).authenticator(tokens.authenticator())
                .options(ServerOptions.builder().maxBatchChanges(HostileCases.MAX_BATCH).maxRowBytes(HostileCases.MAX_ROW_BYTES))
                .websocket(limits).mqtt(topicRoot, limits).start();
        writer = writerOverMqtt
                ? TestDevice.mqtt(dir.resolve("writer.db"), topicRoot, goodScope, tokens.forScope(goodScope)).start()
                : TestDevice.websocket(dir.resolve("writer.db"), node.websocketUri(), goodScope, tokens.forScope(goodScope)).start();
        reader = TestDevice.websocket(dir.resolve("reader.db"), node.websocketUri(), goodScope, tokens.forScope(goodScope)).start();
        for (int i = 0; i < 3; i++) {
            writer.insertItem("seed-" + i, "seed", i);
        }
        await().atMost(PATIENCE).until(() -> reader.items().size() == 3);
        goodGlobalId = StoreRows.all(node.store(), goodScope).get(0).globalId();
    }

    /** Runs one case with a fresh peer; records an expectation miss, fails at once if the good scope was harmed. */
    void run(HostileCase hostile, RawPeer peer) throws Exception {
        Map<String, RowState> before = StoreRows.snapshot(node.store(), goodScope);
        Observed observed;
        try (peer) {
            for (Frame frame : hostile.frames()) {
                peer.send(frame);
            }
            try {
                await().atMost(PATIENCE).until(() -> hostile.expect().met().test(peer.observed()));
            }
            catch (org.awaitility.core.ConditionTimeoutException e) {
                failures.add(hostile.name() + ": expected " + hostile.expect().description() + " but got " + peer.observed());
            }
            observed = peer.observed();
        }
        LOG.debug("hostile case '{}': {}", hostile.name(), observed);
        assertThat(StoreRows.snapshot(node.store(), goodScope)).as("good scope after '%s'", hostile.name()).isEqualTo(before);
        assertGoodDevicesStillSync(hostile.name());
    }

    private void assertGoodDevicesStillSync(String after) {
        String id = "probe-" + (++probes);
        writer.insertItem(id, "after " + after, probes);
        await("good devices still sync after " + after).atMost(PATIENCE).until(() -> id.equals(reader.items().stream()
                .map(r -> (String) r.get("id")).filter(id::equals).findFirst().orElse(null)));
    }

    /** The cases whose answer differed from the table, one line each. */
    List<String> failures() {
        return List.copyOf(failures);
    }

    /** Both good devices and the store agree on the good scope. */
    void assertGoodScopeConverged() {
        await().atMost(PATIENCE).untilAsserted(() -> {
            assertThat(reader.items()).isEqualTo(writer.items());
            assertThat(StoreRows.liveRows(node.store(), goodScope, SqliteFiles.ITEMS)).isEqualTo(writer.items());
        });
        assertThat(writer.items()).hasSize(3 + probes);
    }

    /** The attacker's odd table name reached the store as plain data, in the attacker's scope only. */
    void assertInjectionStoredVerbatimInItsOwnScope() {
        assertThat(StoreRows.all(node.store(), evilScope)).extracting(RowState::table).contains(HostileCases.SQL_INJECTION_TABLE);
        assertThat(StoreRows.all(node.store(), goodScope)).extracting(RowState::table).containsOnly(SqliteFiles.ITEMS);
    }

    @Override
    public void close() {
        String session = writer.mqttClientId();
        writer.close();
        reader.close();
        node.close();
        if (session != null) {
            Cleanup.wipeMqttSessions(TestEnv.mqttUri(), List.of(session));
        }
    }
}
