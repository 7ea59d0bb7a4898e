package io.pocketsync.it.proof;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketsync.api.model.Scope;
import io.pocketsync.api.store.ServerStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bulk path (docs/architecture.md 4.3a) under kill -9: a device in a child JVM ({@link DeviceProcessMain}) installs
 * on a table that already holds {@link #ROWS} rows, which the push seals in rounds while it sends them, and gets SIGKILL
 * several times mid-push (at whatever statement it is in: a seal round, a PUSH, an ACK); each time the same file is
 * reopened. At the end the server holds every row exactly once (its head is the row count: a change sent again was
 * answered DUPLICATE, never stored twice) and the device equals the server.
 */
class BulkPushKillIT {
    private static final Logger LOG = LoggerFactory.getLogger(BulkPushKillIT.class);
    private static final int ROWS = 30_000;
    private static final int KILLS = 3;

    @TempDir
    Path dir;

    @Test
    void aDeviceKilledDuringABulkPushLosesNothingAndStoresNothingTwice() throws Exception {
        Path victimFile = dir.resolve("victim.db");
        Path log = dir.resolve("device.log");
        existingRows(victimFile);
        try (Topology topology = Topology.start(Topology.Kind.WS_SQLITE, dir)) {
            ServerStore store = topology.store();
            Scope scope = topology.scope();
            long stored = 0;
            for (int kill = 0; kill < KILLS; kill++) {
                long from = stored;
                long target = from + (ROWS - from) / 3; // stop it a third of the way through what is left
                DeviceProcessMain.killWhen(() -> store.info(scope).head() > Math.max(target, from), Duration.ofSeconds(120), log,
                        topology.deviceUri(0), scope.name(), victimFile, 500);
                stored = store.info(scope).head();
                assertThat(stored).as("the kill came before the push ended").isLessThan(ROWS);
                LOG.info("device killed with {} of {} rows on the server", stored, ROWS);
            }

            try (SimDevice victim = new SimDevice("victim", victimFile, topology.deviceUri(0), scope.name(),
                    () -> ClientTransports.websocket("victim"))) {
                victim.startEngine();
                await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100))
                        .until(() -> victim.engine().pendingCount() == 0 && store.info(scope).head() >= ROWS);
                Map<String, Map<String, Object>> serverRows = Canonical.serverRows(store, scope, SimDevice.TABLE);
                assertThat(store.info(scope).head()).as("changes stored, each row's INSERT once").isEqualTo(ROWS);
                assertThat(serverRows).hasSize(ROWS);
                Set<Object> keys = new HashSet<>();
                serverRows.values().forEach(row -> keys.add(row.get("id")));
                assertThat(keys).as("distinct app keys on the server").hasSize(ROWS);
                assertThat(victim.rows()).isEqualTo(serverRows);
            }
        }
    }

    /** The app's table with {@link #ROWS} rows, before PocketSync ever opened the file. */
    private static void existingRows(Path file) throws SQLException {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
             Statement statement = connection.createStatement()) {
            statement.execute("PRAGMA journal_mode = WAL");
            statement.execute("CREATE TABLE " + SimDevice.TABLE + " (id TEXT PRIMARY KEY, name TEXT, qty INTEGER, price REAL)");
            statement.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " + ROWS + ")"
                    + " INSERT INTO " + SimDevice.TABLE + " (id, name, qty, price) SELECT 'e' || i, 'name ' || i, i, i + 0.5 FROM n");
        }
    }
}
