package io.pocketsync.it.checksum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.conflict.ConflictResolver;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.store.BatchOutcome;
import io.pocketsync.api.store.ServerStore;
import io.pocketsync.device.DeviceOptions;
import io.pocketsync.device.PocketSyncDevice;
import io.pocketsync.device.SyncStatusListener;
import io.pocketsync.device.TableVerification;
import io.pocketsync.device.VerifyReport;
import io.pocketsync.api.transport.ReconnectPolicy;
import io.pocketsync.it.support.Cleanup;
import io.pocketsync.it.support.SqliteFiles;
import io.pocketsync.it.support.SyncNode;
import io.pocketsync.it.support.TestEnv;
import io.pocketsync.it.support.Tokens;
import io.pocketsync.testkit.store.ForwardingServerStore;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Divergence injected behind the engine's back, in every way a device can drift, is found by checksum and healed
 * within one check interval, while a pending local write stays and is pushed (docs/protocol.md 4): a row changed with
 * capture suppressed, a row deleted, a row inserted that the server never saw, a row left stale because a page was
 * skipped. On both stores and both transports.
 */
class ChecksumSelfHealIT {
    private static final Duration INTERVAL = Duration.ofSeconds(2);
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @TempDir
    Path dir;
    private final Tokens tokens = new Tokens();
    private final String scope = TestEnv.unique("scope");
    private final String topicRoot = TestEnv.uniqueTopicRoot();
    private final String prefix = TestEnv.unique("ps-checksum");
    private final List<AutoCloseable> closing = new ArrayList<>();
    private final List<String> mqttClients = new ArrayList<>();

    /** Refuses the pushes of one device (STORE_UNAVAILABLE): its changes stay pending. */
    private static final class GatedStore extends ForwardingServerStore {
        volatile String refused;

        GatedStore(ServerStore delegate) {
            super(delegate);
        }

        @Override
        public BatchOutcome apply(Scope scope, List<Change> changes, Function<String, ConflictResolver> resolvers) {
            String device = refused;
            if (device != null && changes.stream().anyMatch(change -> device.equals(change.deviceId()))) {
                throw new PocketSyncException(ErrorCode.STORE_UNAVAILABLE, "gate closed for " + device);
            }
            return super.apply(scope, changes, resolvers);
        }
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
        Cleanup.wipeMqttSessions(TestEnv.mqttUri(), mqttClients);
        Cleanup.deleteRedisKeys(TestEnv.redisUri(), prefix);
    }

    @ParameterizedTest(name = "{0} store, {1}")
    @CsvSource({"sqlite, websocket", "sqlite, mqtt", "redis, websocket", "redis, mqtt"})
    void everyKindOfDriftIsHealedAndPendingWritesStay(String storeName, String transport) throws Exception {
        GatedStore store = new GatedStore("redis".equals(storeName) ? SyncNode.redisStore(prefix, "n1")
                : SyncNode.sqliteStore(dir, "n1"));
        SyncNode.Builder builder = SyncNode.builder().nodeId("n1").store(store).authenticator(tokens.authenticator());
        SyncNode node = ("mqtt".equals(transport) ? builder.mqtt(topicRoot) : builder.websocket()).start();
        closing.add(node);
        Path writerDb = dir.resolve("a.db");
        Path driftDb = dir.resolve("b.db");
        PocketSyncDevice writer = device(writerDb, node, transport, SyncStatusListener.NONE);
        Map<String, Integer> repairedByTable = new ConcurrentHashMap<>();
        SyncStatusListener repairs = new SyncStatusListener() {
            @Override
            public void rowsRepaired(String table, int rows) {
                repairedByTable.merge(table, rows, Integer::sum);
            }
        };
        PocketSyncDevice drifting = device(driftDb, node, transport, repairs);
        for (String id : List.of("changed", "deleted", "stale", "edited")) {
            SqliteFiles.execute(writerDb, "INSERT INTO items (id, name, qty) VALUES (?, 'server', 1)", id);
        }
        await().atMost(PATIENCE).until(() -> SqliteFiles.rows(driftDb, SqliteFiles.ITEMS).size() == 4);
        String driftingId = drifting.deviceId();
        drifting.close();

        // a page the drifting device will skip: the writer edits a row while it is away
        SqliteFiles.execute(writerDb, "UPDATE items SET name = 'fresh' WHERE id = 'stale'");
        await().atMost(PATIENCE).until(() -> writer.pendingCount() == 0);
        long head = node.store().info(Scope.of(scope)).head();
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + driftDb);
                Statement statement = connection.createStatement()) {
            connection.setAutoCommit(false);
            statement.execute("INSERT INTO __pocketsync_applying (id) VALUES (1)"); // what the engine does: nothing captured
            statement.execute("UPDATE items SET name = 'drift', qty = 7 WHERE id = 'changed'");
            statement.execute("DELETE FROM items WHERE id = 'deleted'");
            statement.execute("INSERT INTO items (id, name, qty, ps_global_id) VALUES ('ghost', 'never synced', 0, 'ghost-gid')");
            statement.execute("UPDATE __pocketsync_device_state SET cursor = " + head); // the page is skipped
            statement.execute("DELETE FROM __pocketsync_applying");
            connection.commit();
        }
        // local writes the server refuses for now: they stay pending through the repair
        store.refused = driftingId;
        SqliteFiles.execute(driftDb, "INSERT INTO items (id, name, qty) VALUES ('mine', 'pending', 5)");
        SqliteFiles.execute(driftDb, "UPDATE items SET name = 'local edit' WHERE id = 'edited'");

        PocketSyncDevice healed = device(driftDb, node, transport, repairs);
        await().atMost(INTERVAL.multipliedBy(3)).until(() -> healed.checksumStats().rowsRepaired() >= 4);

        Map<String, String> names = names(driftDb);
        assertThat(names).containsEntry("changed", "server").containsEntry("deleted", "server").containsEntry("stale", "fresh")
                .containsEntry("mine", "pending").containsEntry("edited", "local edit").doesNotContainKey("ghost");
        assertThat(healed.pendingCount()).isEqualTo(2);
        await().atMost(PATIENCE).until(() -> repairedByTable.getOrDefault("items", 0) >= 4);

        // drift while online is healed by the periodic check, within one interval
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + driftDb);
                Statement statement = connection.createStatement()) {
            connection.setAutoCommit(false);
            statement.execute("INSERT INTO __pocketsync_applying (id) VALUES (1)");
            statement.execute("UPDATE items SET qty = 99 WHERE id = 'stale'");
            statement.execute("DELETE FROM __pocketsync_applying");
            connection.commit();
        }
        await().atMost(INTERVAL.multipliedBy(3)).until(() -> healed.checksumStats().rowsRepaired() >= 5);
        assertThat(names(driftDb)).containsEntry("stale", "fresh");

        // the pending writes are pushed once the server takes them, and both devices end equal and verified
        store.refused = null;
        await().atMost(PATIENCE).until(() -> healed.pendingCount() == 0
                && "pending".equals(names(writerDb).get("mine")) && "local edit".equals(names(writerDb).get("edited")));
        await().atMost(PATIENCE).until(() -> names(writerDb).equals(names(driftDb)));
        for (PocketSyncDevice device : List.of(writer, healed)) {
            VerifyReport report = await().atMost(PATIENCE).until(() -> device.verify(false).get(10, TimeUnit.SECONDS),
                    VerifyReport::compared);
            assertThat(report.tables()).extracting(TableVerification::outcome).containsOnly(TableVerification.Outcome.MATCH);
            assertThat(report.tables()).extracting(TableVerification::rows).containsOnly(5L);
        }
    }

    private PocketSyncDevice device(Path database, SyncNode node, String transport, SyncStatusListener listener) {
        SqliteFiles.createItems(database);
        URI server = "mqtt".equals(transport) ? URI.create(TestEnv.mqttUri()) : node.websocketUri();
        Map<String, String> config = "mqtt".equals(transport)
                ? Map.of("topic-root", topicRoot, "reconnect-initial-delay", "100ms", "reconnect-max-delay", "1s")
                : Map.of("reconnect-initial-delay", "100ms", "reconnect-max-delay", "1s");
        DeviceOptions options = new DeviceOptions(Duration.ofMillis(50), 500, 500, Duration.ofSeconds(10),
                new ReconnectPolicy(Duration.ofMillis(100), Duration.ofSeconds(1))).withVerifyInterval(INTERVAL);
        PocketSyncDevice device = PocketSyncDevice.builder().database(database).tables(List.of(SqliteFiles.ITEMS)).scope(scope)
                .token(tokens.forScope(scope)).server(server).transport(transport, PluginConfig.of("transport." + transport, config))
                .options(options).statusListener(listener).build();
        device.start();
        closing.add(device);
        if ("mqtt".equals(transport)) {
            mqttClients.add("ps:" + scope + ":" + device.deviceId());
        }
        return device;
    }

    private static Map<String, String> names(Path database) {
        return SqliteFiles.rows(database, SqliteFiles.ITEMS).stream()
                .collect(Collectors.toMap(row -> (String) row.get("id"), row -> (String) row.get("name")));
    }

    @SuppressWarnings("unused")
    private static Set<String> ids(Path database) {
        return names(database).keySet();
    }
}
